// Package lockfile is an advisory lock held on a file with flock(2), so
// that two platc processes do not apply to the same state or GitOps
// repository at once. The kernel drops the lock when the holder exits,
// however it exits, so a crash never leaves a stale lock behind.
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Lock is a held lock.
type Lock struct {
	f    *os.File
	path string
	dir  bool // a lock on a directory, which records no holder
}

// ErrTimeout is returned when the lock was not free in time.
var ErrTimeout = errors.New("timed out waiting for the lock")

// Acquire takes the lock at path. When another process holds it, Acquire
// calls waiting once with what the holder recorded, then waits until the
// lock is free, ctx ends, or timeout passes (a negative timeout waits
// without limit; zero fails at once).
func Acquire(ctx context.Context, path, owner string, timeout time.Duration, waiting func(holder string)) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := wait(ctx, f, path, timeout, waiting, func() string { return readHolder(path) }); err != nil {
		return nil, err
	}
	// Record who holds it, for the message others get.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d, %s, since %s\n", os.Getpid(), owner, time.Now().UTC().Format(time.RFC3339))
		f.Sync()
	}
	return &Lock{f: f, path: path}, nil
}

// AcquireDir takes the lock on the directory dir itself, so that no file
// is created in it (an output directory whose every file is accounted
// for). The holder cannot record itself there; waiting is told "another
// platc process".
func AcquireDir(ctx context.Context, dir string, timeout time.Duration, waiting func(holder string)) (*Lock, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := wait(ctx, f, dir, timeout, waiting, func() string { return "another platc process" }); err != nil {
		return nil, err
	}
	return &Lock{f: f, path: dir, dir: true}, nil
}

// wait takes the flock on f, closing f when it fails.
func wait(ctx context.Context, f *os.File, path string, timeout time.Duration, waiting func(holder string), holderOf func() string) error {
	var deadline <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return fmt.Errorf("lock %s: %w", path, err)
		}
		holder := holderOf()
		if timeout == 0 {
			f.Close()
			return fmt.Errorf("%w %s, held by %s", ErrTimeout, path, holder)
		}
		if !told && waiting != nil {
			waiting(holder)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return ctx.Err()
		case <-deadline:
			f.Close()
			return fmt.Errorf("%w %s after %s, held by %s", ErrTimeout, path, timeout, holder)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func readHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return "another process"
	}
	return strings.TrimSpace(string(b))
}

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	if !l.dir {
		l.f.Truncate(0)
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
