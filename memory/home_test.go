package memory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRehomeOnContention checks that a hint whose home shard's lock is
// found held rehomeAfter times in a row moves to the least-claimed other
// shard, moving its claim along, and that a free lock resets the count.
func TestRehomeOnContention(t *testing.T) {
	p := newPool(t, Config{Slots: 32, SlotBytes: WasmPageSize, Shards: 4})
	claims := func() []int32 {
		var c []int32
		for i := range p.shards {
			c = append(c, p.shards[i].claims.Load())
		}
		return c
	}
	for i := range p.shards {
		p.shards[i].claims.Store(0)
	}
	a := p.newHint().(*hint) // shard 0, the least claimed
	b := p.newHint().(*hint) // shard 1
	p.shards[2].claims.Add(5)

	type step struct {
		Home   int
		Claims []int32
	}
	var got []step
	record := func(home int, locked bool) {
		if locked {
			p.shards[home].mu.Unlock()
		}
		got = append(got, step{home, claims()})
	}

	home := int(a.home.shard.Load())
	p.shards[home].mu.Lock() // another goroutine holds a's home shard
	record(p.pickHome(a))    // one miss: stays
	p.shards[home].mu.Unlock()
	record(p.pickHome(a)) // free: the count starts again
	p.shards[home].mu.Lock()
	record(p.pickHome(a)) // one miss
	record(p.pickHome(a)) // second in a row: moves to shard 3 (0 claims)
	p.shards[home].mu.Unlock()
	record(p.pickHome(b)) // b is not affected

	want := []step{
		{0, []int32{1, 1, 5, 0}},
		{0, []int32{1, 1, 5, 0}},
		{0, []int32{1, 1, 5, 0}},
		{3, []int32{0, 1, 5, 1}},
		{1, []int32{0, 1, 5, 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("home and claims per shard after each acquire (-want +got):\n%s", diff)
	}
}

// TestNoRehomeWhenLevel checks that with as many hints as shards on every
// shard (more Ps than shards, say), contention moves nobody: moving could
// only trade places with another P.
func TestNoRehomeWhenLevel(t *testing.T) {
	p := newPool(t, Config{Slots: 16, SlotBytes: WasmPageSize, Shards: 2})
	for i := range p.shards {
		p.shards[i].claims.Store(0)
	}
	a := p.newHint().(*hint)
	_ = p.newHint() // shard 1
	p.shards[0].mu.Lock()
	var homes []int
	for range 2 * rehomeAfter {
		home, locked := p.pickHome(a)
		if locked {
			p.shards[home].mu.Unlock()
		}
		homes = append(homes, home)
	}
	p.shards[0].mu.Unlock()
	claims := []int32{p.shards[0].claims.Load(), p.shards[1].claims.Load()}
	if diff := cmp.Diff([]any{[]int{0, 0, 0, 0}, []int32{1, 1}}, []any{homes, claims}); diff != "" {
		t.Errorf("homes of a contended hint, claims (-want +got):\n%s", diff)
	}
}
