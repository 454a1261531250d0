package cli

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/providers/gpu"
)

// The flag groups commands share. Each group is registered by one method,
// so the commands that take it spell, document and check it alike.

// clock is --now, the run's time: parsed once, when the flag is parsed,
// or the current time read once, when first asked for. Everything a run
// judges by the time (policies, exceptions, change windows, inventory
// age, the docs' milestones) reads the same instant.
type clock struct {
	mu  sync.Mutex
	t   time.Time
	set bool
}

func (c *clock) Type() string { return "time" }

func (c *clock) String() string {
	if !c.set {
		return "" // the current time; help text leaves out an empty default
	}
	return c.t.Format(time.RFC3339)
}

func (c *clock) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse("2006-01-02", s); err != nil {
			return fmt.Errorf("want an RFC 3339 time (2026-11-24T09:00:00Z) or a date (2026-11-24, its midnight UTC)")
		}
	}
	c.t, c.set = t, true
	return nil
}

// Now returns the run's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		c.t = time.Now().UTC()
	}
	return c.t
}

// tick makes the next Now read the current time again, unless --now was
// given: for a long-running command (docs --serve) that rebuilds.
func (c *clock) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set {
		c.t = time.Time{}
	}
}

// register adds --now to f; what says what the time is used for.
func (c *clock) register(f *pflag.FlagSet, what string) {
	f.Var(c, "now", what+", RFC 3339 or a date (default: the current time)")
}

// formatFlag is -o: one of the formats a command writes, checked when the
// flag is parsed.
type formatFlag struct {
	value   outputFormat
	allowed []outputFormat
}

func (f *formatFlag) Type() string   { return "format" }
func (f *formatFlag) String() string { return string(f.value) }

func (f *formatFlag) Set(s string) error {
	if err := outputFormat(s).validate(f.allowed); err != nil {
		return err
	}
	f.value = outputFormat(s)
	return nil
}

// register adds -o to fs with the allowed formats, the first the default;
// note, when not empty, follows the list in the help text.
func (f *formatFlag) register(fs *pflag.FlagSet, note string, allowed ...outputFormat) {
	f.allowed, f.value = allowed, allowed[0]
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	list := strings.Join(names, ", ")
	if i := strings.LastIndex(list, ", "); i >= 0 {
		list = list[:i] + " or " + list[i+2:]
	}
	if note != "" {
		list += " " + note
	}
	fs.VarP(f, "output", "o", "output `format`: "+list)
}

// specDir returns the spec directory a command's arguments name: the
// first, or the working directory.
func specDir(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "."
}

// checkFlags decide what a check finds: the user's policies, the clock,
// the limits policies run under, and the GPU inventory. check, render,
// plan, apply, docs and github report take them.
type checkFlags struct {
	policyDirs     []string
	now            clock
	policyTimeout  time.Duration
	policyAllowNet []string
	inventory      []string
	maxAge         time.Duration
}

// checkHelp is what a command's help says of --now and --inventory.
type checkHelp struct {
	now, inventory string
}

// register adds the group to cmd.
func (c *checkFlags) register(cmd *cobra.Command, help checkHelp) {
	f := cmd.Flags()
	f.StringArrayVar(&c.policyDirs, "policy", nil, "also evaluate the policies in `DIR` (repeatable)")
	c.now.register(f, help.now)
	policyTimeoutFlag(f, &c.policyTimeout)
	policyAllowNetFlag(f, &c.policyAllowNet)
	inventoryFlags(cmd, &c.inventory, &c.maxAge, help.inventory)
}

// config returns the check of the spec in dir that the flags describe,
// with the inventory loaded when --inventory is given.
func (c *checkFlags) config(g *globals, dir string) (compiler.CheckConfig, error) {
	cfg, _, err := c.configInventory(g, dir)
	return cfg, err
}

// configInventory is config that also returns the inventory the check
// loads, to call once the check is done (nil without --inventory).
func (c *checkFlags) configInventory(g *globals, dir string) (compiler.CheckConfig, func() *gpu.Inventory, error) {
	cfg := compiler.CheckConfig{
		Config:         compiler.Config{Dir: g.abs(dir), DisplayDir: dir},
		Now:            c.now.Now(),
		PolicyTimeout:  c.policyTimeout,
		PolicyAllowNet: slices.Clone(c.policyAllowNet),
		ReservedRules:  reconcileRules(),
	}
	for _, d := range c.policyDirs {
		cfg.PolicyDirs = append(cfg.PolicyDirs, g.abs(d))
	}
	if len(c.inventory) == 0 {
		return cfg, func() *gpu.Inventory { return nil }, nil
	}
	inv, err := withInventory(g, &cfg, c.inventory, c.maxAge, cfg.Now)
	return cfg, inv, err
}
