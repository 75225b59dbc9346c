package wasi

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"testing"
	"time"

	"github.com/wpi-dev/wpi/instance"
	"github.com/wpi-dev/wpi/internal/fuzzwatch"
)

// Bounds of FuzzArgs: each WASI call gets argsDeadline (poll_oneoff and
// blocking reads must honour it), the whole input argsBound, past which a
// watchdog fails the process (the fuzzer records the input).
const (
	argsDeadline = 100 * time.Millisecond
	argsBound    = 10 * time.Second
	argsMaxCalls = 16
)

// leb appends v as unsigned LEB128.
func leb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func section(b []byte, id byte, contents []byte) []byte {
	b = append(b, id)
	b = leb(b, uint64(len(contents)))
	return append(b, contents...)
}

func name(b []byte, s string) []byte { return append(leb(b, uint64(len(s))), s...) }

// forwarder builds a module that imports every WASI function and exports
// each as "call_<name>", a wasm function of the same signature that
// forwards its params to the import: a guest calling WASI with whatever
// arguments the fuzzer picks. It exports one page of memory.
func forwarder() []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	var types, imports, funcs, exports, code []byte
	n := uint64(len(functions))
	types, imports, funcs, code = leb(nil, n), leb(nil, n), leb(nil, n), leb(nil, n)
	exports = leb(nil, n+1)
	for i, f := range functions {
		types = append(types, 0x60)
		types = leb(types, uint64(len(f.params)))
		types = append(types, f.params...)
		types = leb(types, uint64(len(f.results)))
		types = append(types, f.results...)
		imports = name(imports, ModuleName)
		imports = name(imports, f.name)
		imports = append(imports, 0) // func
		imports = leb(imports, uint64(i))
		funcs = leb(funcs, uint64(i))
		exports = name(exports, "call_"+f.name)
		exports = append(exports, 0)
		exports = leb(exports, n+uint64(i))
		body := []byte{0} // no locals
		for p := range f.params {
			body = append(body, 0x20)
			body = leb(body, uint64(p))
		}
		body = append(body, 0x10)
		body = leb(body, uint64(i))
		body = append(body, 0x0b)
		code = leb(code, uint64(len(body)))
		code = append(code, body...)
	}
	exports = name(exports, "memory")
	exports = append(exports, 2, 0)
	m = section(m, 1, types)
	m = section(m, 2, imports)
	m = section(m, 3, funcs)
	m = section(m, 5, []byte{1, 0, 1}) // one memory, min 1 page
	m = section(m, 7, exports)
	m = section(m, 10, code)
	return m
}

// FuzzArgs calls WASI functions through a guest with fuzzed arguments:
// random pointers and lengths into (and past) the guest's memory, whose
// first bytes the input also sets. An input is: a length byte L, L bytes
// written at offset 0 of memory, then calls of 1 byte (the function) and
// 8 bytes per param. Nothing may panic, each call must end within its
// deadline (plus slack), the whole input within argsBound, and the
// guest's memory must not change outside the one page.
func FuzzArgs(f *testing.F) {
	dir := f.TempDir()
	if err := os.WriteFile(dir+"/file.txt", []byte("some file contents\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	rt, err := instance.NewRuntime(ctx, instance.Config{MemorySlots: 2, MemorySlotBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	defer rt.Close(ctx)
	w, err := Instantiate(ctx, rt, Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer w.Close(ctx)
	cm, err := rt.Compile(ctx, forwarder())
	if err != nil {
		f.Fatal(err)
	}
	mc := WithConfig(instance.ModuleConfig{}, Config{
		Args: []string{"fuzz", "arg"}, Env: []string{"A=1"},
		Stdin: bytes.NewReader([]byte("stdin bytes")), Stdout: io.Discard, Stderr: io.Discard,
		Mounts: []Mount{{HostDir: dir, GuestPath: "/"}},
	})
	index := map[string]byte{}
	for i, fn := range functions {
		index[fn.name] = byte(i)
	}
	seed := func(calls ...[]byte) []byte {
		b := []byte{16}
		b = binary.LittleEndian.AppendUint64(b, 0x0000_0010_0000_0020) // an iovec {32, 16}
		b = binary.LittleEndian.AppendUint64(b, 0)
		for _, c := range calls {
			b = append(b, c...)
		}
		return b
	}
	call := func(fn string, args ...uint64) []byte {
		b := []byte{index[fn]}
		for _, a := range args {
			b = binary.LittleEndian.AppendUint64(b, a)
		}
		return b
	}
	f.Add(seed(call("args_sizes_get", 100, 104), call("args_get", 200, 300)))
	f.Add(seed(call("fd_write", 1, 0, 1, 400)))
	f.Add(seed(call("fd_read", 0, 0, 1, 400)))
	f.Add(seed(call("path_open", 3, 0, 40, 8, 0, 0xffff, 0xffff, 0, 500), call("fd_read", 4, 0, 1, 400)))
	f.Add(seed(call("poll_oneoff", 0, 600, 1, 700)))
	f.Add(seed(call("random_get", 65530, 100), call("fd_prestat_get", 3, 800)))
	f.Add(seed(call("environ_get", 0xfffffffc, 0xffffffff), call("clock_time_get", 0, 1, 65535)))
	f.Fuzz(func(t *testing.T, in []byte) {
		defer fuzzwatch.Start("FuzzArgs", argsBound, in)()
		guest, err := rt.Instantiate(ctx, cm, mc)
		if err != nil {
			t.Fatal(err)
		}
		defer guest.Close(ctx)
		mem := guest.Memory()
		if len(in) > 0 {
			l := int(in[0])
			in = in[1:]
			l = min(l, len(in))
			mem.Write(0, in[:l])
			in = in[l:]
		}
		for n := 0; len(in) > 0 && n < argsMaxCalls; n++ {
			fn := functions[int(in[0])%len(functions)]
			in = in[1:]
			stack := make([]uint64, max(len(fn.params), len(fn.results)))
			for p := range fn.params {
				var a [8]byte
				in = in[copy(a[:], in):]
				v := binary.LittleEndian.Uint64(a[:])
				if fn.params[p] == i32 {
					v = uint64(uint32(v))
				}
				stack[p] = v
			}
			cctx, cancel := context.WithTimeout(ctx, argsDeadline)
			start := time.Now()
			err := guest.ExportedFunction("call_"+fn.name).CallWithStack(cctx, stack)
			cancel()
			if el := time.Since(start); el > argsDeadline+2*time.Second {
				t.Fatalf("%s%v took %v (err %v)", fn.name, stack, el, err)
			}
			if err != nil { // proc_exit, an interrupt, a host error: the guest is done
				break
			}
			if mem.Size() != 65536 {
				t.Fatalf("%s: memory size %d", fn.name, mem.Size())
			}
		}
	})
}
