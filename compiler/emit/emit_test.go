package emit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
)

// files is an emitter that puts its files in order.
type files struct {
	name  string
	paths []string
}

func (f files) Name() string { return f.name }

func (f files) Emit(_ context.Context, _ *plan.Plan, s emit.Sink) error {
	for _, p := range f.paths {
		if err := s.Put(p, []byte(f.name)); err != nil {
			return err
		}
	}
	return nil
}

func TestRun(t *testing.T) {
	p := &plan.Plan{}
	a, b := files{"a", []string{"a/1", "a/2"}}, files{"b", []string{"b/1"}}
	tests := map[string]struct {
		ctx     func() context.Context
		refuse  string // the path the sink refuses
		want    []string
		wantErr string
	}{
		"Emitters run in order, each file handed on once.": {
			want: []string{"a/1", "a/2", "b/1"},
		},
		"A refused file ends the run, naming the emitter.": {
			refuse: "a/2", want: []string{"a/1"}, wantErr: "render a: refused a/2",
		},
		"An ended context stops the run before any file.": {
			ctx:     func() context.Context { c, cancel := context.WithCancel(context.Background()); cancel(); return c },
			wantErr: context.Canceled.Error(),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			var got []string
			err := emit.Run(ctx, p, emit.SinkFunc(func(path string, _ []byte) error {
				if path == tc.refuse {
					return errors.New("refused " + path)
				}
				got = append(got, path)
				return nil
			}), a, b)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("Run() = %v, want error %q", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("files put (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollect(t *testing.T) {
	got, err := emit.Collect(context.Background(), &plan.Plan{}, files{"a", []string{"x"}}, files{"b", []string{"y", "x"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"x": []byte("b"), "y": []byte("b")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
