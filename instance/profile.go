package instance

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/pprof/profile"

	"github.com/wpi-dev/wpi/engine"
)

// DefaultProfilePeriod is the sampling period of StartProfiler when it is
// given 0: 1 ms (1000 Hz; Go's CPU profiler samples at 100 Hz, but guests
// are often short-lived).
const DefaultProfilePeriod = time.Millisecond

// Profiler samples the wasm call stacks of the runtime's guests, as
// Wasmtime's --profile=guest does: every period, each call running in
// one of the runtime's instances records its stack at its next loop
// back-edge or call (the interrupt check the interpreter makes anyway,
// see the package doc's Runaway guests), so sampling costs nothing
// between samples. Stop returns the samples as a pprof profile (go tool
// pprof reads it), with function names from the name section or DWARF
// and file:line where the module carries DWARF.
//
// A sample is taken at the next check after the timer fires, so time a
// guest spends in a host function is charged to the wasm code that runs
// next; samples count wall time of running calls.
type Profiler struct {
	rt     *Runtime
	s      *engine.Sampler
	period time.Duration
	start  time.Time
}

// StartProfiler starts sampling the runtime's calls every period (0 or
// less: DefaultProfilePeriod). One profiler runs per runtime at a time: a
// second fails until the first is stopped. It fails with ErrClosed on a
// closed runtime, and Runtime.Close stops a running profiler (its
// samples are dropped: Stop it first to keep them). When no profiler
// runs, a call pays one atomic load for the feature.
func (r *Runtime) StartProfiler(period time.Duration) (*Profiler, error) {
	if r == nil || r.closed.Load() {
		return nil, fmt.Errorf("instance: StartProfiler: runtime %w", ErrClosed)
	}
	if period <= 0 {
		period = DefaultProfilePeriod
	}
	s := r.ecfg.Sampler
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.profiling {
		return nil, errors.New("instance: StartProfiler: a profiler runs already")
	}
	r.profiling = true
	s.Start(period)
	return &Profiler{rt: r, s: s, period: period, start: time.Now()}, nil
}

// Stop stops sampling and returns the profile: sample types "samples"
// (count) and "cpu" (nanoseconds, period per sample), one location per
// wasm instruction sampled, with its function ("module.name", or the
// module name and "$funcidx" without a name) and line. Stop may be called
// once; later calls return nil. A Profiler is not safe for concurrent use
// (the calls it samples may run on any goroutines).
func (p *Profiler) Stop() *profile.Profile {
	if p == nil || p.s == nil {
		return nil
	}
	samples := p.s.Stop()
	p.s = nil
	p.rt.mu.Lock()
	p.rt.profiling = false
	p.rt.mu.Unlock()
	return buildProfile(samples, p.period, p.start)
}

// WriteProfile stops p and writes its profile to w in pprof's gzipped
// protocol buffer format. It fails if p was stopped already, or with w's
// error.
func (p *Profiler) WriteProfile(w io.Writer) error {
	prof := p.Stop()
	if prof == nil {
		return errors.New("instance: WriteProfile: the profiler was stopped already")
	}
	return prof.Write(w)
}

// buildProfile turns the samples into a pprof profile.
func buildProfile(samples []engine.Sample, period time.Duration, start time.Time) *profile.Profile {
	prof := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        period.Nanoseconds(),
		TimeNanos:     start.UnixNano(),
		DurationNanos: time.Since(start).Nanoseconds(),
	}
	type locKey struct {
		fn  *engine.Function
		off int
	}
	type funcKey struct {
		name, file string
	}
	locs := map[locKey]*profile.Location{}
	funcs := map[funcKey]*profile.Function{}
	for _, smp := range samples {
		ps := &profile.Sample{Value: []int64{1, period.Nanoseconds()}}
		for _, fr := range smp {
			k := locKey{fr.Fn, fr.Offset}
			loc, ok := locs[k]
			if !ok {
				fi := FrameInfo{Module: fr.Fn.ModuleName, Func: fr.Fn.Index, Name: fr.Fn.Name, Offset: fr.Offset}
				if fr.Fn.Instance != nil {
					if cm, ok := fr.Fn.Instance.Module.Owner.(*CompiledModule); ok {
						cm.resolve(&fi)
					}
				}
				name := fi.Name
				if name == "" {
					name = fmt.Sprintf("$%d", fi.Func)
				}
				if fi.Module != "" {
					name = fi.Module + "." + name
				}
				fk := funcKey{name, fi.File}
				fn, ok := funcs[fk]
				if !ok {
					fn = &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name, Filename: fi.File}
					funcs[fk] = fn
					prof.Function = append(prof.Function, fn)
				}
				loc = &profile.Location{ID: uint64(len(locs) + 1), Line: []profile.Line{{Function: fn, Line: int64(fi.Line)}}}
				if fr.Offset >= 0 {
					loc.Address = uint64(fr.Offset)
				}
				locs[k] = loc
				prof.Location = append(prof.Location, loc)
			}
			ps.Location = append(ps.Location, loc)
		}
		prof.Sample = append(prof.Sample, ps)
	}
	return prof
}
