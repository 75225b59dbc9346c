// Command goreactor is a Go WASI reactor (GOOS=wasip1 -buildmode=c-shared)
// whose package initialisation builds a table and a map, as Go programs'
// inits do; its //go:wasmexport functions only read them, or write a
// little. Built by ../build.sh.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

var (
	primes []int32
	words  = map[string]int32{}
	greet  = "hello, " + env("GREET", "world")
	calls  int32
)

func env(k, def string) string {
	if v, ok := os.LookupEnv(k); ok {
		return v
	}
	return def
}

func init() {
	sieve := make([]bool, 200000)
	for i := 2; i < len(sieve); i++ {
		if !sieve[i] {
			primes = append(primes, int32(i))
			for j := i * i; j < len(sieve); j += i {
				sieve[j] = true
			}
		}
	}
	for i, p := range primes[:2000] {
		words[fmt.Sprintf("p%d", p)] = int32(i)
	}
}

// prime returns the i-th prime.
//
//go:wasmexport prime
func prime(i int32) int32 { return primes[int(i)%len(primes)] }

// index returns the position of the prime p among the first 2000, or -1.
//
//go:wasmexport index
func index(p int32) int32 {
	if i, ok := words[fmt.Sprintf("p%d", p)]; ok {
		return i
	}
	return -1
}

// count returns how many primes are below n.
//
//go:wasmexport count
func count(n int32) int32 {
	return int32(sort.Search(len(primes), func(i int) bool { return primes[i] >= n }))
}

// hello prints the greeting with a call counter and returns its length.
//
//go:wasmexport hello
func hello(n int32) int32 {
	calls++
	s := fmt.Sprintf("%s #%d (%d)\n", greet, calls, n)
	os.Stdout.WriteString(s)
	return int32(len(s))
}

// build allocates n strings and joins them: the heap grows and the GC
// may run.
//
//go:wasmexport build
func build(n int32) int32 {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(i)
	}
	return int32(len(strings.Join(parts, ",")))
}

func main() {}
