package engine

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFused pins each fused form (superinstruction) of the translator:
// testdata/fused.wat has one function per form, written as the wasm
// shape the form replaces; its disassembly must be the golden listing
// (so a change that loses a fusion fails here), and it must compute what
// the unfused instructions would.
func TestFused(t *testing.T) {
	_, ex := newTestInstance(t, "testdata/fused.wasm")
	tests := []struct {
		name string
		args []uint64
		want uint64
		dis  string
	}{
		{"add_imm2", []uint64{5, 10}, 6 ^ 8, `
0000  i32.add_imm2     c0 = c0, 1; c1 = c1, -2
0003  i32.xor          c3 = c0, c1
0004  return1          c3`},
		{"add.add_imm", []uint64{5, 10}, 15 ^ 13, `
0000  i32.add.add_imm  c0 = c0, c1; c1 = c1, 3
0002  i32.xor          c3 = c0, c1
0003  return1          c3`},
		{"add_imm.br_nz", []uint64{4}, 28, `
0000  i32.add_imm      c1 = c1, 7
0002  i32.add_imm.br_nz c0 = c0, -1 -> 0000
0005  return1          c1`},
		{"add_imm.br_ne", []uint64{5}, 5, `
0000  i32.add_imm.br_ne c1 = c1, 1; c0 -> 0000
0003  return1          c1`},
		{"add_imm.br_gt_u_imm", []uint64{0}, 102, `
0000  i32.add_imm.br_gt_u_imm c0 = c0, 3; 100 -> 0005
0003  br               -> 0000
0005  return1          c0`},
		{"bitfield_u", []uint64{0x1234}, 0x1234 >> 5 & 127, `
0000  i32.bitfield_u   c2 = c0, 5, 127
0002  return1          c2`},
		{"mul_add", []uint64{3, 4, 5}, 17, `
0000  i32.mul_add      c4 = c0, c1, c2
0002  return1          c4`},
		{"shl_add", []uint64{3, 1}, 13, `
0000  i32.shl_add      c3 = c0, c1, 2
0002  return1          c3`},
		{"load8_u_idx", []uint64{12, 8}, 99, `
0000  const32          c4 = 0x63
0001  i32.store8       [c2 +32 21 + 0] = c4
0003  i32.load8_u_idx  c3 = [c0 + c1 + 1]
0005  return1          c3`},
		{"reverse", []uint64{100}, 300 + 200, `
0000  const32          c5 = 0xc8
0001  i32.store        [c3 +32 100 + 0] = c5
0003  const32          c5 = 0x12c
0004  i32.store        [c3 +32 200 + 0] = c5
0006  copy             c2 = c0
0007  copy.i32.load    c0 = c2; c2 = [c0 + 0]
0009  i32.store        [c0 + 0] = c1
0011  copy.br_nz       c1 = c0; c2 -> 0007
0013  i32.load         c5 = [c3 +32 300 + 0]
0015  i32.add          c4 = c1, c5
0016  return1          c4`},
		{"i32.store.copy", []uint64{40, 9}, 49, `
0000  i32.store.copy   [c0 + 0] = c1; c2 = c0
0002  i32.load         c5 = [c0 + 0]
0004  i32.add          c4 = c2, c5
0005  return1          c4`},
		{"copy.br_i32_ne_imm", []uint64{0}, 7, `
0000  i32.add_imm      c1 = c1, 1
0002  copy.br_i32_ne_imm c0 = c1; c1, 7 -> 0000
0005  return1          c0`},
		{"i32.xor.mul_imm", []uint64{3, 5}, 6 * 16777619, `
0000  i32.xor.mul_imm  c3 = c0, c1, 16777619
0002  return1          c3`},
		{"i32.xor.shl_imm", []uint64{3, 5}, 6 << 3, `
0000  i32.xor.shl_imm  c3 = c0, c1, 3
0002  return1          c3`},
		{"i32.shr_u_imm.xor", []uint64{0x1234, 1}, 0x12 ^ 1, `
0000  i32.shr_u_imm.xor c3 = c0, c1, 8
0002  return1          c3`},
		{"i64.xor.mul_imm", []uint64{3, 5}, 6 * 1099511628211, `
0000  i64.xor.mul_imm  c3 = c0, c1, 1099511628211
0002  return1          c3`},
		{"f64.mul.add", []uint64{math.Float64bits(1.5), math.Float64bits(2), math.Float64bits(0.25)}, math.Float64bits(3.25), `
0000  f64.mul.add      c4 = c0, c1, c2
0002  return1          c4`},
		{"i32.load8_u.xor", []uint64{5, 0x0f}, 0xff, `
0000  const32          c4 = 0xf0
0001  i32.store8       [c2 +32 5 + 0] = c4
0003  i32.load8_u.xor  c3 = [c0 + 0], c1
0005  return1          c3`},
		{"i64.shr_u_imm.xor", []uint64{0xff00000000, 5}, 0xff00000000>>33 ^ 5, `
0000  i64.shr_u_imm.xor c3 = c0, c1, 33
0002  return1          c3`},
		{"wrap.load", []uint64{0xffffffff00000004}, 77, `
0000  const32          c3 = 0x4d
0001  i32.store        [c1 +32 16 + 0] = c3
0003  i32.load         c2 = [c0 +32 4 + 8]
0005  return1          c2`},
		{"wrap.and", []uint64{0xabcd00001234, 0xff0}, 0x230, `
0000  i32.and          c3 = c0, c1
0001  return1          c3`},
		{"i32.load.br_nz", []uint64{28}, 20, `
0000  const32          c3 = 0x1
0001  i32.store        [c1 +32 32 + 0] = c3
0003  i32.load.br_nz   c2 = [c0 + 4] -> 0008
0006  const32          c0 = 0xa
0007  return
0008  const32          c0 = 0x14
0009  return`},
		{"load.tee.br_nz", []uint64{32}, 5, `
0000  const32          c4 = 0x5
0001  i32.store        [c2 +32 32 + 0] = c4
0003  i32.load.br_nz   c1 = [c0 + 0] -> 0008
0006  const32          c0 = 0x0
0007  return
0008  return1          c1`},
		{"i32.load8_u.br_z", []uint64{32}, 7, `
0000  const32          c3 = 0x1
0001  i32.store8       [c1 +32 33 + 0] = c3
0003  i32.load8_u.br_z c2 = [c0 +32 1 + 0] -> 0009
0006  const32          c2 = 0x7
0007  br               -> 0010
0009  const32          c2 = 0x9
0010  return1          c2`},
		{"const32.copy", []uint64{1}, 6, `
0000  const32.copy     c1 = 0x5; c2 = c0
0002  i32.add          c4 = c1, c2
0003  return1          c4`},
		{"i32.add_imm.and_imm", []uint64{0x1fe}, 0x01, `
0000  i32.add_imm.and_imm c2 = c0, 3, 255
0002  return1          c2`},
		{"i32.bitfield_u.xor_imm", []uint64{0x1234}, 0x23 ^ 0x5a, `
0000  i32.bitfield_u.xor_imm c2 = c0, 4, 255, 90
0002  return1          c2`},
		{"const32.br", []uint64{2}, 7, `
0000  br_i32_eq_imm    c0, 0 -> 0007
0003  i32.add_imm      c0 = c0, 4294967295
0005  const32.br       c1 = 0x7 -> 0000
0007  return1          c1`},
		{"i32.add_imm.global.set", []uint64{100}, 84, `
0000  i32.add_imm.global.set global[0] = c2 = c0, -16
0002  global.get       c2 = global[0]
0003  return1          c2`},
		{"add_imm.tee.global.set", []uint64{100}, 168, `
0000  i32.add_imm.global.set global[0] = c1 = c0, -16
0002  global.get       c3 = global[0]
0003  i32.add          c3 = c3, c1
0004  return1          c3`},
		{"load_shl", []uint64{1}, 55, `
0000  const32          c3 = 0x37
0001  i32.store        [c1 +32 108 + 0] = c3
0003  i32.load_shl     c2 = [c0<<2 +32 4 + 100]
0005  return1          c2`},
		{"load_idx_shl", []uint64{16, 3}, 0x123456789, `
0000  const64          c4 = 0x123456789
0002  i64.store        [c2 +32 40 + 0] = c4
0004  i64.load_idx_shl c3 = [c0 + c1<<3 + 0]
0006  return1          c3`},
		{"eqz.eqz.br_if", []uint64{1 << 40}, 20, `
0000  br_i64_ne_imm    c0, 0 -> 0005
0003  const32          c0 = 0xa
0004  return
0005  const32          c0 = 0x14
0006  return`},
		{"eqz.eqz.br_if/0", []uint64{0}, 10, `
0000  br_i64_ne_imm    c0, 0 -> 0005
0003  const32          c0 = 0xa
0004  return
0005  const32          c0 = 0x14
0006  return`},
		{"eqz.eqz.if", []uint64{7}, 30, `
0000  br_i32_eq_imm    c0, 0 -> 0006
0003  const32          c2 = 0x1e
0004  br               -> 0007
0006  const32          c2 = 0x28
0007  return1          c2`},
		{"eqz.eqz.if/0", []uint64{0}, 40, `
0000  br_i32_eq_imm    c0, 0 -> 0006
0003  const32          c2 = 0x1e
0004  br               -> 0007
0006  const32          c2 = 0x28
0007  return1          c2`},
		{"add_imm.load8_u", []uint64{10, 40}, 24, `
0000  const32          c5 = 0x9
0001  i32.store8       [c3 +32 41 + 0] = c5
0003  i32.add_imm.load8_u c0 = c0, 5; c2 = [c1 + 1]
0006  i32.add          c4 = c0, c2
0007  return1          c4`},
		{"add_imm.load8_u_via", []uint64{38}, 52, `
0000  const32          c4 = 0x9
0001  i32.store8       [c2 +32 45 + 0] = c4
0003  i32.add_imm.load8_u_via c0 = c0, 5; c1 = [c0 + 2]
0006  i32.add          c3 = c0, c1
0007  return1          c3`},
		{"load.load8_u", []uint64{48}, 77, `
0000  const32          c3 = 0x3c
0001  i32.store        [c1 +32 52 + 0] = c3
0003  const32          c3 = 0x4d
0004  i32.store8       [c1 +32 61 + 0] = c3
0006  i32.load.load8_u c2 = [c0 + 4]; c2 = [c2 + 1]
0009  return1          c2`},
		{"and.load_idx_shl", []uint64{32, 0x12, 3}, 0x5557, `
0000  const32          c6 = 0x5555
0001  i64.store        [c4 +32 48 + 0] = c6
0003  i32.and.i64.load_idx_shl c3 = c1, c2; c5 = [c0 + c3<<3 + 0]
0006  i64.extend_i32_u c6 = c3
0007  i64.add          c5 = c5, c6
0008  return1          c5`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := ex[tc.name]
			got := f.Code.String()
			got = got[strings.IndexByte(got, '\n')+1:] // the frame line
			if d := cmp.Diff(strings.TrimPrefix(tc.dis, "\n")+"\n", got); d != "" {
				t.Errorf("disassembly (-want +got):\n%s", d)
			}
			stack := make([]uint64, max(len(tc.args), 1))
			copy(stack, tc.args)
			if err := Call(context.Background(), f, stack, nil); err != nil {
				t.Fatal(err)
			}
			if stack[0] != tc.want {
				t.Errorf("%s%v = %d, want %d", tc.name, tc.args, stack[0], tc.want)
			}
		})
	}
}
