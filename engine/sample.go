package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// Sampler samples the wasm call stacks of the calls made with it
// (Config.Sampler), for a guest profiler: while it runs, a timer sets the
// interrupt bit interruptSample of every machine running such a call
// each period, and the loop, which polls the interrupt word at every
// back-edge and call anyway, records the machine's stack at its next
// poll. A Sampler that is not running costs a call one atomic load.
type Sampler struct {
	on atomic.Bool

	mu       sync.Mutex
	machines map[*machine]struct{}
	samples  []Sample
	stop     chan struct{}
	done     chan struct{}
}

// Sample is one recorded wasm call stack, innermost frame first.
type Sample []SampleFrame

// SampleFrame is a frame of a Sample: the function and the byte offset in
// its module's binary of the instruction the frame was at (a call, for
// the outer frames), or -1 if unknown.
type SampleFrame struct {
	Fn     *Function
	Offset int
}

// Start starts sampling every period, until Stop. It is a no-op if the
// sampler runs already.
func (s *Sampler) Start(period time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on.Load() {
		return
	}
	if s.machines == nil {
		s.machines = map[*machine]struct{}{}
	}
	s.samples = nil
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	s.on.Store(true)
	go s.tick(period, s.stop, s.done)
}

func (s *Sampler) tick(period time.Duration, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.mu.Lock()
			for m := range s.machines {
				m.interrupt.Or(interruptSample)
			}
			s.mu.Unlock()
		}
	}
}

// Stop stops sampling and returns the samples recorded since Start.
func (s *Sampler) Stop() []Sample {
	s.mu.Lock()
	if !s.on.Load() {
		s.mu.Unlock()
		return nil
	}
	s.on.Store(false)
	stop, done := s.stop, s.done
	s.mu.Unlock()
	close(stop)
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.samples
	s.samples = nil
	return out
}

// attach registers m, which starts a call, for sampling; it reports
// whether m must detach when the call ends.
func (s *Sampler) attach(m *machine) bool {
	if s == nil || !s.on.Load() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.on.Load() {
		return false
	}
	s.machines[m] = struct{}{}
	m.sampler = s
	return true
}

// detach unregisters m at the end of its call.
func (s *Sampler) detach(m *machine) {
	s.mu.Lock()
	delete(s.machines, m)
	s.mu.Unlock()
	m.sampler = nil
}

// record takes a sample of m's stack: the running function at m.pc, then
// each caller at its call.
func (s *Sampler) record(m *machine) {
	if m.fn == nil {
		return
	}
	smp := make(Sample, 0, len(m.frames)+1)
	off := -1
	if m.fn.Code != nil {
		off = m.fn.Code.wasmOffset(wordIndex(m.fn, m.pc))
	}
	smp = append(smp, SampleFrame{m.fn, off})
	for i := len(m.frames) - 1; i >= 0; i-- {
		fr := m.frames[i]
		off := -1
		if fr.fn.Code != nil {
			off = fr.fn.Code.wasmOffset(wordIndex(fr.fn, fr.pc) - 1)
		}
		smp = append(smp, SampleFrame{fr.fn, off})
	}
	s.mu.Lock()
	if s.on.Load() {
		s.samples = append(s.samples, smp)
	}
	s.mu.Unlock()
}
