// Package emit declares the contract every output of platc implements: an
// [Emitter] reads the plan and hands the files it renders to a [Sink].
// The command line holds one ordered list of emitters; adding an output is
// one package that implements Emitter and one line in that list.
package emit

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/platc-dev/platc/compiler/plan"
)

// An Emitter renders one kind of output from a plan.
type Emitter interface {
	// Name says what the emitter renders, in errors ("GitOps tree").
	Name() string
	// Emit renders the plan into s. It reads only the plan, may call
	// s.Put from several goroutines at once, and stops with ctx's error
	// when ctx ends.
	Emit(ctx context.Context, p *plan.Plan, s Sink) error
}

// A Sink receives rendered files: a slash path relative to the output
// directory, and its bytes. Put is safe to call from several goroutines
// and does not keep b; an error from it ends the emitter's work.
type Sink interface {
	Put(path string, b []byte) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(path string, b []byte) error

// Put calls f.
func (f SinkFunc) Put(path string, b []byte) error { return f(path, b) }

// Run runs the emitters in order over the plan into s, checking ctx before
// each file is handed on, and stops at the first error, naming the emitter.
func Run(ctx context.Context, p *plan.Plan, s Sink, emitters ...Emitter) error {
	guarded := SinkFunc(func(path string, b []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return s.Put(path, b)
	})
	for _, e := range emitters {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.Emit(ctx, p, guarded); err != nil {
			return fmt.Errorf("render %s: %w", e.Name(), err)
		}
	}
	return nil
}

// Tree is a Sink that keeps every file in memory, for commands that
// compare the output or write it later, and for tests.
type Tree struct {
	mu    sync.Mutex
	files map[string][]byte
}

// Put keeps a copy of b under path.
func (t *Tree) Put(path string, b []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files == nil {
		t.files = map[string][]byte{}
	}
	t.files[path] = bytes.Clone(b)
	return nil
}

// Files returns the files put so far, by path. The map is the tree's own:
// it must not be changed while files are still being put.
func (t *Tree) Files() map[string][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files == nil {
		t.files = map[string][]byte{}
	}
	return t.files
}

// Collect runs the emitters over the plan and returns their files.
func Collect(ctx context.Context, p *plan.Plan, emitters ...Emitter) (map[string][]byte, error) {
	var t Tree
	if err := Run(ctx, p, &t, emitters...); err != nil {
		return nil, err
	}
	return t.Files(), nil
}

// PutSorted hands the files to s in the order of their paths, for
// emitters that render a small set of files at once.
func PutSorted(s Sink, files map[string][]byte) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := s.Put(name, files[name]); err != nil {
			return err
		}
	}
	return nil
}
