// Command summarize reads `go test -bench` output (several interleaved runs
// of each benchmark) and prints Markdown tables of the medians: per group,
// each contender's wall time and CPU time per operation with their ratios
// to the group's baseline ("floor", or "encoding-csv" for bills), bytes and
// allocations per operation, and any other metric; then, for benchmarks
// named …/procs=N/…, how each contender scales from 1 to N procs.
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	line   = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)
	header = regexp.MustCompile(`^(goos|goarch|cpu|pkg):\s*(.*)$`)
	procs  = regexp.MustCompile(`/procs=(\d+)/`)
)

type sample map[string][]float64

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func main() {
	results := map[string]sample{}
	var order []string
	env := map[string]string{}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if m := header.FindStringSubmatch(sc.Text()); m != nil {
			env[m[1]] = m[2]
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		if results[name] == nil {
			results[name] = sample{}
			order = append(order, name)
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				results[name][f[i+1]] = append(results[name][f[i+1]], v)
			}
		}
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "summarize: no benchmark lines on stdin")
		os.Exit(1)
	}
	med := func(name, unit string) float64 { return median(results[name][unit]) }
	group := func(name string) string { return name[:strings.LastIndex(name, "/")+1] }
	base := func(name string) string {
		for _, b := range []string{"floor", "encoding-csv"} {
			if _, ok := results[group(name)+b]; ok {
				return group(name) + b
			}
		}
		return ""
	}
	ratio := func(a, b float64) string {
		if a == 0 || b == 0 {
			return ""
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	num := func(v float64) string {
		if v == 0 {
			return ""
		}
		s := strconv.FormatFloat(v, 'f', 0, 64)
		for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
			s = s[:i] + " " + s[i:]
		}
		return s
	}

	fmt.Printf("%s/%s, %s; medians of %d interleaved runs.\n", env["goos"], env["goarch"], env["cpu"], len(results[order[0]]["ns/op"]))
	lastGroup := ""
	for _, name := range order {
		g := group(name)
		if g != lastGroup {
			lastGroup = g
			fmt.Printf("\n**%s**\n\n", strings.TrimSuffix(g, "/"))
			fmt.Println("| contender | wall ns/op | × base | CPU ns/op | × base (CPU) | B/op | allocs/op | other |")
			fmt.Println("|---|---|---|---|---|---|---|---|")
		}
		b := base(name)
		var other []string
		for unit, v := range results[name] {
			switch unit {
			case "ns/op", "cpu-ns/op", "B/op", "allocs/op":
			case "MB/s":
				o := fmt.Sprintf("%.0f MB/s", median(v))
				if b != "" && b != name {
					o += fmt.Sprintf(" (%.2f× %s)", median(v)/med(b, "MB/s"), strings.TrimPrefix(b, g))
				}
				other = append(other, o)
			default:
				other = append(other, fmt.Sprintf("%.1f %s", median(v), unit))
			}
		}
		slices.Sort(other)
		var r, rc string
		if b != "" && b != name {
			r, rc = ratio(med(name, "ns/op"), med(b, "ns/op")), ratio(med(name, "cpu-ns/op"), med(b, "cpu-ns/op"))
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", strings.TrimPrefix(name, g), num(med(name, "ns/op")), r,
			num(med(name, "cpu-ns/op")), rc, num(med(name, "B/op")), num(med(name, "allocs/op")), strings.Join(other, ", "))
	}

	// Scaling: the same contender at procs=1 and procs=N.
	var scaled []string
	for _, name := range order {
		if m := procs.FindStringSubmatch(name); m != nil && m[1] != "1" {
			scaled = append(scaled, name)
		}
	}
	if len(scaled) == 0 {
		return
	}
	fmt.Println("\n**Parallel scaling** (efficiency = wall time per call at 1 proc ÷ (N × wall time per call at N procs); CPU per call at N ÷ at 1: 1.00 is flat)")
	fmt.Println()
	fmt.Println("| benchmark | contender | N | wall ns/op at 1 | at N | efficiency | CPU ns/op at 1 | at N | CPU at N ÷ at 1 |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, name := range scaled {
		m := procs.FindStringSubmatch(name)
		one := procs.ReplaceAllString(name, "/procs=1/")
		n, _ := strconv.ParseFloat(m[1], 64)
		w1, wn := med(one, "ns/op"), med(name, "ns/op")
		c1, cn := med(one, "cpu-ns/op"), med(name, "cpu-ns/op")
		eff := ""
		if wn > 0 {
			eff = fmt.Sprintf("%.2f", w1/(n*wn))
		}
		i := strings.Index(name, m[0])
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name[:i], name[i+len(m[0]):], m[1],
			num(w1), num(wn), eff, num(c1), num(cn), strings.TrimSuffix(ratio(cn, c1), "×"))
	}
}
