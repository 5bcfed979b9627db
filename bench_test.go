package starpool_test

// Benchmarks of the engine, run through the public API on the scripts in
// bench/ (the same scripts bench/run.sh runs with the command and compares
// with CPython). Each script times its own work and leaves the seconds in
// its global 'elapsed'; the benchmarks report that as custom metrics:
//
//	go test -run '^$' -bench . -benchtime 3x
//
// See BENCHMARKS.md for the figures and how they were measured.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool"
)

// benchTasks is the number of trivial tasks per run of the overhead
// benchmarks, as in bench/run.sh.
const benchTasks = 100000

// benchSource reads bench/NAME.star.
func benchSource(b *testing.B, name string) []byte {
	b.Helper()
	src, err := os.ReadFile(filepath.Join("bench", name+".star"))
	if err != nil {
		b.Fatal(err)
	}
	return src
}

// benchRun runs a bench script once on a fresh runtime, with sys.argv
// [NAME.star, args...], and returns the seconds the script measured itself.
func benchRun(b *testing.B, name string, src []byte, args ...string) float64 {
	b.Helper()
	file := name + ".star"
	rt := starpool.New(starpool.Options{Args: append([]string{file}, args...), Stdout: io.Discard})
	defer rt.Close()
	globals, err := rt.ExecFile(context.Background(), file, src)
	if err != nil {
		b.Fatalf("%s failed:\n%s", file, starpool.Backtrace(err))
	}
	elapsed, ok := globals["elapsed"].(starlark.Float)
	if !ok {
		b.Fatalf("%s left no float 'elapsed'", file)
	}
	return float64(elapsed)
}

// benchOverhead runs benchTasks trivial tasks per iteration through the
// script name (submit or map), on 1 and on 2 workers, and reports the wall
// time per task.
func benchOverhead(b *testing.B, name string) {
	src := benchSource(b, name)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var seconds float64
			for b.Loop() {
				seconds += benchRun(b, name, src, strconv.Itoa(benchTasks), strconv.Itoa(workers))
			}
			b.ReportMetric(seconds*1e6/float64(b.N*benchTasks), "µs/task")
			b.ReportMetric(0, "ns/op") // an op is a whole script; µs/task is the figure
		})
	}
}

// BenchmarkSubmitResult measures the overhead of one trivial task
// (def f(x): return x) submitted with pool.submit and collected with
// future.result(), 100,000 tasks per run.
func BenchmarkSubmitResult(b *testing.B) { benchOverhead(b, "submit") }

// BenchmarkMap measures the overhead of one trivial task run by pool.map,
// 100,000 tasks per run.
func BenchmarkMap(b *testing.B) { benchOverhead(b, "map") }

// BenchmarkFibSpeedup runs 16 tasks of fib(23) with max_workers=1 and then
// 2, alternately, and reports both times and their ratio (the parallel
// speedup), under several settings of the garbage collector's GOGC, with the
// peak of the Go runtime's memory during the runs and the share of the CPU
// time that went to the collector.
func BenchmarkFibSpeedup(b *testing.B) {
	src := benchSource(b, "fib")
	for _, gogc := range []int{100, 200, 400, 800, -1} {
		name := "GOGC=" + strconv.Itoa(gogc)
		if gogc < 0 {
			name = "GOGC=off"
		}
		b.Run(name, func(b *testing.B) {
			// The test process's own setting, restored afterwards.
			defer debug.SetGCPercent(debug.SetGCPercent(gogc))
			peak := startPeakMemory()
			gc0, busy0 := gcCPU()
			var one, two float64
			for b.Loop() {
				one += benchRun(b, "fib", src, "1", "16", "23")
				two += benchRun(b, "fib", src, "2", "16", "23")
			}
			gc1, busy1 := gcCPU()
			mem, _ := peak.stop()
			runs := float64(b.N)
			b.ReportMetric(one/runs, "s/1-worker")
			b.ReportMetric(two/runs, "s/2-workers")
			b.ReportMetric(one/two, "speedup")
			b.ReportMetric(float64(mem)/(1<<20), "peak-MB")
			b.ReportMetric(100*(gc1-gc0)/(busy1-busy0), "gc-cpu-%")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkStartup measures what the command does for an empty script
// besides starting the process: a new runtime, ExecFile, Close.
func BenchmarkStartup(b *testing.B) {
	src := benchSource(b, "empty")
	for b.Loop() {
		rt := starpool.New(starpool.Options{Args: []string{"empty.star"}, Stdout: io.Discard})
		if _, err := rt.ExecFile(context.Background(), "empty.star", src); err != nil {
			b.Fatal(err)
		}
		rt.Close()
	}
}

// BenchmarkSleep10k runs 10,000 tasks of sleep(0.1) on max_workers=10000:
// the wall time (ideally 0.1 s) and the peak memory and goroutine count of
// the process while they are all in flight, with the peaks of the goroutine
// stacks and of the heap objects (live and not yet collected). It comes
// last: the Go runtime keeps the 10,000 finished goroutines' descriptors for
// reuse, and every later collection in the process scans them, which would
// inflate the GC figures of the benchmarks after it.
func BenchmarkSleep10k(b *testing.B) {
	src := benchSource(b, "sleep")
	peak := startPeakMemory()
	var seconds float64
	for b.Loop() {
		seconds += benchRun(b, "sleep", src, "10000", "0.1")
	}
	mem, goroutines := peak.stop()
	b.ReportMetric(seconds/float64(b.N), "s/wall")
	b.ReportMetric(float64(mem)/(1<<20), "peak-MB")
	b.ReportMetric(float64(peak.stacks)/(1<<20), "peak-stacks-MB")
	b.ReportMetric(float64(peak.heap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(goroutines), "peak-goroutines")
	b.ReportMetric(0, "ns/op")
}

// gcCPU returns the CPU seconds the process has spent on garbage
// collection, and on everything but idling, as the Go runtime estimates them.
// The runtime updates these estimates when a collection ends, so gcCPU
// starts one.
func gcCPU() (gc, busy float64) {
	runtime.GC()
	s := []metrics.Sample{
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"},
	}
	metrics.Read(s)
	return s[0].Value.Float64(), s[1].Value.Float64() - s[2].Value.Float64()
}

// peakMemory samples the Go runtime's memory in use (everything it has
// mapped but free pages: heap objects, stacks, runtime metadata; close to
// the RSS), the goroutine stacks, the heap objects and the number of
// goroutines every millisecond, keeping the maxima. It starts by collecting
// the garbage and returning free memory to the OS, so that each benchmark
// starts from the same floor.
type peakMemory struct {
	quit                    chan struct{}
	wg                      sync.WaitGroup
	mem, gors, stacks, heap uint64
}

var peakMetrics = []string{
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/free:bytes",
	"/sched/goroutines:goroutines",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/heap/objects:bytes",
}

func startPeakMemory() *peakMemory {
	debug.FreeOSMemory() // forget what earlier benchmarks left behind
	p := &peakMemory{quit: make(chan struct{})}
	samples := make([]metrics.Sample, len(peakMetrics))
	for i, name := range peakMetrics {
		samples[i].Name = name
	}
	sample := func() {
		metrics.Read(samples)
		p.mem = max(p.mem, samples[0].Value.Uint64()-samples[1].Value.Uint64()-samples[2].Value.Uint64())
		p.gors = max(p.gors, samples[3].Value.Uint64())
		p.stacks = max(p.stacks, samples[4].Value.Uint64())
		p.heap = max(p.heap, samples[5].Value.Uint64())
	}
	sample()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				sample()
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return p
}

// stop ends the sampling and returns the peak memory in bytes and the peak
// number of goroutines.
func (p *peakMemory) stop() (mem, goroutines uint64) {
	close(p.quit)
	p.wg.Wait()
	return p.mem, p.gors
}
