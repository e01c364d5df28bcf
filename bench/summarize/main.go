// Command summarize reads `go test -bench` output (several runs of each
// benchmark) and prints the median of each metric per benchmark, with the
// time ratio to the "floor" (or "encoding-csv") sibling of the same group.
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

var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	type sample map[string][]float64
	results := map[string]sample{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := m[1]
		if results[name] == nil {
			results[name] = sample{}
			order = append(order, name)
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				results[name][f[i+1]] = append(results[name][f[i+1]], v)
			}
		}
	}
	median := func(v []float64) float64 {
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
	base := func(name string) string {
		group := name[:strings.LastIndex(name, "/")+1]
		for _, b := range []string{"floor", "encoding-csv"} {
			if _, ok := results[group+b]; ok {
				return group + b
			}
		}
		return ""
	}
	fmt.Println("| benchmark | runs | ns/op (median) | × baseline | B/op | allocs/op | other |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, name := range order {
		r := results[name]
		ratio := ""
		if b := base(name); b != "" && b != name {
			ratio = fmt.Sprintf("%.2f×", median(r["ns/op"])/median(results[b]["ns/op"]))
		}
		var other []string
		for unit, v := range r {
			if unit != "ns/op" && unit != "B/op" && unit != "allocs/op" {
				other = append(other, fmt.Sprintf("%.1f %s", median(v), unit))
			}
		}
		slices.Sort(other)
		fmt.Printf("| %s | %d | %.0f | %s | %.0f | %.0f | %s |\n", strings.TrimPrefix(name, "Benchmark"), len(r["ns/op"]),
			median(r["ns/op"]), ratio, median(r["B/op"]), median(r["allocs/op"]), strings.Join(other, ", "))
	}
}
