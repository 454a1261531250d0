package load

import (
	"slices"
	"strings"
)

// partition groups the data files into units that can be evaluated
// independently: files whose footprints overlap (one writes a path that is
// a prefix of, or equal to, a path the other writes), or where one reads a
// path the other writes, share a unit. Library files are added to every
// unit that uses them, directly or through another library.
func (p *Package) partition() {
	n := len(p.Files)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}

	owner := map[string]int{}      // footprint key → first file writing it
	below := map[string][]int{}    // proper prefix → files writing beneath it
	declared := map[string][]int{} // package-level name → declaring files
	isData := func(f *File) bool { return !f.Binding && !f.Library }
	for i, f := range p.Files {
		if f.Binding {
			continue
		}
		for _, name := range f.Declares {
			declared[name] = append(declared[name], i)
		}
		if !isData(f) {
			continue
		}
		for _, fp := range f.Footprint {
			key := strings.Join(fp, sep)
			if o, ok := owner[key]; ok {
				union(o, i)
			} else {
				owner[key] = i
			}
			for k := 0; k < len(fp); k++ {
				pk := strings.Join(fp[:k], sep)
				below[pk] = append(below[pk], i)
			}
		}
	}
	// touch unions file i with every data file writing at, above or below path.
	touch := func(i int, path []string) {
		for k := 0; k <= len(path); k++ {
			if o, ok := owner[strings.Join(path[:k], sep)]; ok {
				union(o, i)
			}
		}
		for _, j := range below[strings.Join(path, sep)] {
			union(i, j)
		}
	}
	// libs returns the library files f uses, transitively.
	libs := func(f *File) []int {
		var out []int
		seen := map[int]bool{}
		var visit func(*File)
		visit = func(f *File) {
			for _, name := range f.Uses {
				for _, j := range declared[name] {
					if p.Files[j].Library && !seen[j] {
						seen[j] = true
						out = append(out, j)
						visit(p.Files[j])
					}
				}
			}
		}
		visit(f)
		slices.Sort(out)
		return out
	}

	unitLibs := make([][]int, n)
	for i, f := range p.Files {
		if !isData(f) {
			continue
		}
		for _, fp := range f.Footprint {
			touch(i, fp)
		}
		deps := slices.Clone(f.Deps)
		unitLibs[i] = libs(f)
		for _, j := range unitLibs[i] {
			deps = append(deps, p.Files[j].Deps...)
		}
		for _, d := range deps {
			touch(i, d)
		}
		// Names declared by other data files (a definition written beside a
		// team's data, say) tie the two files together.
		for _, name := range f.Uses {
			for _, j := range declared[name] {
				if isData(p.Files[j]) {
					union(i, j)
				}
			}
		}
	}

	groups := map[int][]int{}
	for i, f := range p.Files {
		if isData(f) {
			r := find(i)
			groups[r] = append(groups[r], i)
		}
	}
	units := make([][]int, 0, len(groups))
	for _, members := range groups {
		unit := slices.Clone(members)
		for _, i := range members {
			for _, j := range unitLibs[i] {
				if !slices.Contains(unit, j) {
					unit = append(unit, j)
				}
			}
		}
		units = append(units, unit)
	}
	sortUnits(units)
	p.Units = units
}

const sep = "\x1f"
