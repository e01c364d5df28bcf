//go:build !unix

package bench

// processCPU is not available here: cpu-ns/op is not reported.
func processCPU() int64 { return -1 }
