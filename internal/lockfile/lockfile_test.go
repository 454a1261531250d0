package lockfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// flock locks belong to open file descriptions, so two Acquires in one
// process exclude each other as two processes would.
func TestExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "apply.lock")
	ctx := context.Background()
	first, err := Acquire(ctx, path, "first", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(ctx, path, "second", 0, nil)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "first") {
		t.Fatalf("second Acquire with timeout 0: %v, want ErrTimeout naming the holder", err)
	}
	var holder string
	_, err = Acquire(ctx, path, "second", 300*time.Millisecond, func(h string) { holder = h })
	if !errors.Is(err, ErrTimeout) || !strings.Contains(holder, "first") {
		t.Fatalf("Acquire with timeout: %v (waiting told %q)", err, holder)
	}
	// Released while a third waits without limit: the third gets it.
	done := make(chan error, 1)
	go func() {
		l, err := Acquire(ctx, path, "third", -1, func(string) {})
		if err == nil {
			err = l.Release()
		}
		done <- err
	}()
	time.Sleep(150 * time.Millisecond)
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestContextEndsWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "apply.lock")
	l, err := Acquire(context.Background(), path, "first", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, path, "second", -1, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
}

// A lock on a directory creates nothing in it and excludes as a file lock
// does.
func TestAcquireDir(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := AcquireDir(ctx, dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var told string
	_, err = AcquireDir(ctx, dir, 200*time.Millisecond, func(h string) { told = h })
	if !errors.Is(err, ErrTimeout) || told == "" {
		t.Fatalf("second AcquireDir: %v (waiting told %q), want ErrTimeout after waiting", err, told)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	second, err := AcquireDir(ctx, dir, 0, nil)
	if err != nil {
		t.Fatalf("AcquireDir after Release: %v", err)
	}
	second.Release()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the locked directory holds %d entries, want none", len(entries))
	}
}
