// Package gpu is platc's GPU-inventory provider: it discovers a host's
// GPUs through NVML (github.com/NVIDIA/go-nvml, behind nvml.Interface so a
// device model can stand in for the real library), writes them as a
// versioned JSON inventory document, merges the documents of many hosts
// per environment and reconciles them with the quotas and pools a spec
// declares.
package gpu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

// APIVersion is the version of the inventory document format.
const APIVersion = "platc.dev/inventory/v1"

// Node labels GPU Feature Discovery gives a host, and the label naming a
// host's environment.
const (
	LabelProduct     = model.GPUProductLabel
	LabelCount       = "nvidia.com/gpu.count"
	LabelMemory      = "nvidia.com/gpu.memory"
	LabelMIGStrategy = "nvidia.com/mig.strategy"
	LabelEnvironment = "platc.dev/environment"
)

// Document is one host's inventory.
type Document struct {
	APIVersion    string    `json:"apiVersion"`
	Host          Host      `json:"host"`
	Time          time.Time `json:"time"`
	DriverVersion string    `json:"driverVersion,omitempty"`
	CUDAVersion   string    `json:"cudaVersion,omitempty"`
	Devices       []Device  `json:"devices"`
}

// Host names the machine the devices are in.
type Host struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	// Environment is the spec environment the host belongs to (--env, or
	// the platc.dev/environment label).
	Environment string `json:"environment,omitempty"`
}

// Device is one physical GPU.
type Device struct {
	Index   int    `json:"index"`
	UUID    string `json:"uuid"`
	Product string `json:"product"`
	// Model is the spec's GPU model name for Product; empty when no table
	// maps it.
	Model       string      `json:"model,omitempty"`
	MemoryBytes uint64      `json:"memoryBytes"`
	MIGMode     bool        `json:"migMode"`
	MIGDevices  []MIGDevice `json:"migDevices,omitempty"`
	// UtilisationPercent is absent where NVML does not report it (MIG mode).
	UtilisationPercent *int   `json:"utilisationPercent,omitempty"`
	MemoryUsedBytes    uint64 `json:"memoryUsedBytes"`
}

// MIGDevice is one MIG instance of a GPU.
type MIGDevice struct {
	UUID    string `json:"uuid"`
	Profile string `json:"profile"`
}

// maxDocument bounds an inventory file: a host has a few dozen GPUs.
const maxDocument = 16 << 20

// ReadDocument decodes and validates an inventory document.
func ReadDocument(data []byte) (*Document, error) {
	if len(data) > maxDocument {
		return nil, fmt.Errorf("inventory document is %d bytes, more than the %d allowed", len(data), maxDocument)
	}
	var probe struct {
		APIVersion *string `json:"apiVersion"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(data, err)
	}
	switch {
	case probe.APIVersion == nil:
		return nil, errors.New("not an inventory document: no apiVersion")
	case *probe.APIVersion != APIVersion:
		return nil, fmt.Errorf("unknown apiVersion %q: this platc reads %s", *probe.APIVersion, APIVersion)
	}
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the document")
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	return &doc, nil
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n")))):
		return fmt.Errorf("invalid JSON: truncated after %d bytes", len(data))
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		return fmt.Errorf("invalid inventory document: %s has the wrong type (%s, want %s)", te.Field, te.Value, te.Type)
	}
	return fmt.Errorf("invalid inventory document: %v", err)
}

// Validate checks what the JSON types alone do not.
func (d *Document) Validate() error {
	if d.APIVersion != APIVersion {
		return fmt.Errorf("unknown apiVersion %q: this platc reads %s", d.APIVersion, APIVersion)
	}
	if d.Host.Name == "" {
		return errors.New("invalid inventory document: host.name is empty")
	}
	if d.Time.IsZero() {
		return errors.New("invalid inventory document: no time")
	}
	seen := map[string]bool{}
	for i, dev := range d.Devices {
		switch {
		case dev.UUID == "":
			return fmt.Errorf("invalid inventory document: devices[%d] has no uuid", i)
		case dev.Product == "":
			return fmt.Errorf("invalid inventory document: devices[%d] has no product", i)
		case dev.Index < 0:
			return fmt.Errorf("invalid inventory document: devices[%d] has a negative index", i)
		case dev.UtilisationPercent != nil && (*dev.UtilisationPercent < 0 || *dev.UtilisationPercent > 100):
			return fmt.Errorf("invalid inventory document: devices[%d].utilisationPercent %d is not a percentage", i, *dev.UtilisationPercent)
		case len(dev.MIGDevices) > 0 && !dev.MIGMode:
			return fmt.Errorf("invalid inventory document: devices[%d] has MIG devices but migMode is false", i)
		}
		if seen[dev.UUID] {
			return fmt.Errorf("invalid inventory document: GPU %s is listed twice", dev.UUID)
		}
		seen[dev.UUID] = true
		for j, m := range dev.MIGDevices {
			if m.UUID == "" || m.Profile == "" {
				return fmt.Errorf("invalid inventory document: devices[%d].migDevices[%d] needs a uuid and a profile", i, j)
			}
			if seen[m.UUID] {
				return fmt.Errorf("invalid inventory document: MIG device %s is listed twice", m.UUID)
			}
			seen[m.UUID] = true
		}
	}
	return nil
}

// EnvironmentName is the host's environment: the field, else the label.
func (d *Document) EnvironmentName() string {
	if d.Host.Environment != "" {
		return d.Host.Environment
	}
	return d.Host.Labels[LabelEnvironment]
}

// Marshal encodes the document as indented JSON with a final newline.
func (d *Document) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
