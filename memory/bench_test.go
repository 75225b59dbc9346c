package memory

import (
	"fmt"
	"testing"
)

// BenchmarkAcquireRelease measures a whole tenancy with no guest work:
// Acquire, dirty N pages (one byte each, card set), Release with the
// high-water mark at 2 MiB.
func BenchmarkAcquireRelease(b *testing.B) {
	for _, dirtyPages := range []int{1, 256} {
		for _, keep := range []int64{0, KeepNone} {
			name := fmt.Sprintf("dirty=%d/keep=%s", dirtyPages, map[int64]string{0: "default", KeepNone: "none"}[keep])
			cycle := func(b *testing.B, p *Pool) {
				s, err := p.Acquire(1)
				if err != nil {
					b.Fatal(err)
				}
				buf, cards := whole(s), s.Cards()
				for pg := range dirtyPages {
					buf[pg<<CardShift] = 1
					cards[pg] = 1
				}
				s.SetHighWater(2 << 20)
				if err := p.Release(s); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(name+"/serial", func(b *testing.B) {
				p := newPool(b, Config{Slots: 64, SlotBytes: 64 << 20, KeepResident: keep})
				b.ReportAllocs()
				for b.Loop() {
					cycle(b, p)
				}
				reportStats(b, p)
			})
			b.Run(name+"/parallel", func(b *testing.B) {
				p := newPool(b, Config{Slots: 64, SlotBytes: 64 << 20, KeepResident: keep})
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						cycle(b, p)
					}
				})
				reportStats(b, p)
			})
		}
	}
}

// BenchmarkFullScan is one page dirty in a 4 GiB slot with no high-water
// mark: Release scans all 1 MiB of the slot's cards.
func BenchmarkFullScan(b *testing.B) {
	p := newPool(b, Config{Slots: 4})
	b.ReportAllocs()
	for b.Loop() {
		s, err := p.Acquire(1)
		if err != nil {
			b.Fatal(err)
		}
		whole(s)[5<<CardShift] = 1
		s.Cards()[5] = 1
		if err := p.Release(s); err != nil {
			b.Fatal(err)
		}
	}
}

func reportStats(b *testing.B, p *Pool) {
	st := p.Stats()
	if st.Releases == 0 {
		return
	}
	b.ReportMetric(float64(st.MadviseCalls)/float64(st.Releases), "madvise/op")
	b.ReportMetric(float64(st.WarmHits)/float64(st.Acquires), "warm-ratio")
}
