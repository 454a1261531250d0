package gpu

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

// FileError is a problem with one inventory file.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s: %v", e.File, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// LoadOptions shape reading inventory files.
type LoadOptions struct {
	// MaxAge rejects documents older than this at Now; zero accepts any age.
	MaxAge time.Duration
	// Now is the time MaxAge is measured from; zero means time.Now.
	Now time.Time
}

// Inventory is the merged inventory of many hosts.
type Inventory struct {
	Environments map[string]*EnvironmentInventory `json:"environments"`
	// Problems are GPUs the clusters' nodes have but do not offer, read
	// with the hosts from the clusters (FromNodes).
	Problems []NodeProblem `json:"problems,omitempty"`
}

// EnvironmentInventory is the hosts of one environment.
type EnvironmentInventory struct {
	Hosts []*HostInventory `json:"hosts"`
}

// HostInventory is one host's document and the file it came from.
type HostInventory struct {
	File string `json:"file"`
	*Document
}

// Files expands paths: a directory stands for the *.json files in it.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, &FileError{File: p, Err: cleanPathErr(err)}
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ms, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, &FileError{File: p, Err: err}
		}
		if len(ms) == 0 {
			return nil, &FileError{File: p, Err: fmt.Errorf("no inventory files (*.json) in the directory")}
		}
		slices.Sort(ms)
		out = append(out, ms...)
	}
	return out, nil
}

func cleanPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// ReadFile reads and validates one inventory file.
func ReadFile(path string) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{File: path, Err: cleanPathErr(err)}
	}
	doc, err := ReadDocument(data)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	return doc, nil
}

// Load reads the inventory files and directories in paths and merges them
// per environment. Nothing is merged silently: a file that cannot be read,
// a host without an environment, a stale document, a host or a GPU claimed
// by two files are each a *FileError naming the file.
func Load(paths []string, opts LoadOptions) (*Inventory, error) {
	files, err := Files(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no inventory files given")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	inv := &Inventory{Environments: map[string]*EnvironmentInventory{}}
	gpuFile := map[string]string{}
	hostFile := map[string]string{}
	for _, f := range files {
		doc, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		env := doc.EnvironmentName()
		if env == "" {
			return nil, &FileError{File: f, Err: fmt.Errorf("host %s has no environment: discover with --env, or label it %s", doc.Host.Name, LabelEnvironment)}
		}
		if age := now.Sub(doc.Time); opts.MaxAge > 0 && age > opts.MaxAge {
			return nil, &FileError{File: f, Err: fmt.Errorf("stale: host %s was inventoried at %s, %s ago, more than --max-age %s", doc.Host.Name, doc.Time.Format(time.RFC3339), age.Round(time.Second), opts.MaxAge)}
		}
		if other, ok := hostFile[doc.Host.Name]; ok {
			return nil, &FileError{File: f, Err: fmt.Errorf("host %s is also inventoried in %s", doc.Host.Name, other)}
		}
		hostFile[doc.Host.Name] = f
		for _, d := range doc.Devices {
			ids := []string{d.UUID}
			for _, m := range d.MIGDevices {
				ids = append(ids, m.UUID)
			}
			for _, id := range ids {
				if other, ok := gpuFile[id]; ok {
					return nil, &FileError{File: f, Err: fmt.Errorf("GPU %s is also claimed by %s", id, other)}
				}
				gpuFile[id] = f
			}
		}
		e := inv.Environments[env]
		if e == nil {
			e = &EnvironmentInventory{}
			inv.Environments[env] = e
		}
		e.Hosts = append(e.Hosts, &HostInventory{File: f, Document: doc})
	}
	return inv, nil
}

// EnvironmentNames are the inventory's environments in order.
func (inv *Inventory) EnvironmentNames() []string {
	names := make([]string, 0, len(inv.Environments))
	for n := range inv.Environments {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Files are the files of an environment's hosts, for messages.
func (e *EnvironmentInventory) Files() string {
	fs := make([]string, len(e.Hosts))
	for i, h := range e.Hosts {
		fs[i] = h.File
	}
	return strings.Join(fs, ", ")
}

// ProductLabels are the nvidia.com/gpu.product node label values of the
// GPUs inv discovered, per environment and spec GPU model (spec's table
// first), with how many GPUs carry each. A host whose GPUs are all one
// product is selected by its own label, as GPU Feature Discovery set it
// (with the -MIG-<profile> or -SHARED suffixes some configurations add);
// otherwise each GPU counts under its product name as GFD writes it,
// spaces as '-'. Products no model maps are left out.
func (inv *Inventory) ProductLabels(spec *model.Spec) map[string]map[string]map[string]int {
	out := map[string]map[string]map[string]int{}
	for env, e := range inv.Environments {
		for _, h := range e.Hosts {
			hostLabel := h.Host.Labels[LabelProduct]
			for _, d := range h.Devices {
				if d.Product != h.Devices[0].Product {
					hostLabel = ""
				}
			}
			for _, d := range h.Devices {
				m, ok := spec.GPUModelOf(d.Product)
				if !ok {
					continue
				}
				label := cmp.Or(hostLabel, model.ProductLabel(d.Product))
				if out[env] == nil {
					out[env] = map[string]map[string]int{}
				}
				if out[env][m] == nil {
					out[env][m] = map[string]int{}
				}
				out[env][m][label]++
			}
		}
	}
	return out
}
