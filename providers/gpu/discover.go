package gpu

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/platc-dev/platc/compiler/model"
)

// Options shape a discovery.
type Options struct {
	// Host is the host's name; empty means os.Hostname.
	Host string
	// Environment is the spec environment the host belongs to.
	Environment string
	// Now is the document's time; zero means time.Now.
	Now time.Time
	// Spec, when set, maps product names with its platform.gpuModels first.
	Spec *model.Spec
}

// NVMLError is a failure of the NVML library itself: missing, no driver,
// not permitted. Discovery returns it instead of an empty inventory.
type NVMLError struct {
	Op  string
	Ret nvml.Return
}

func (e *NVMLError) Error() string {
	switch e.Ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return "NVML is not available: the NVIDIA management library (libnvidia-ml.so.1) was not found; is the NVIDIA driver installed on this host?"
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return "NVML is not available: the NVIDIA driver is not loaded"
	case nvml.ERROR_NO_PERMISSION:
		return "NVML is not available: no permission to talk to the NVIDIA driver"
	case nvml.ERROR_LIB_RM_VERSION_MISMATCH:
		return "NVML is not available: the NVML library and the NVIDIA kernel driver versions differ (reboot or reinstall the driver)"
	}
	return fmt.Sprintf("NVML %s failed: %v", e.Op, e.Ret)
}

// DeviceError is a failed query of one GPU.
type DeviceError struct {
	Index int
	Op    string
	Ret   nvml.Return
}

func (e *DeviceError) Error() string {
	return fmt.Sprintf("GPU %d: NVML %s failed: %v", e.Index, e.Op, e.Ret)
}

// Discover queries lib for the host's GPUs. It initialises and shuts down
// the library; an *NVMLError means NVML itself could not be used.
func Discover(lib nvml.Interface, opts Options) (doc *Document, err error) {
	if lib == nil {
		return nil, &NVMLError{Op: "Init", Ret: nvml.ERROR_LIBRARY_NOT_FOUND}
	}
	defer func() {
		// A device model that lacks a method panics; report it instead.
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("device model: %v", r)
		}
	}()
	if ret := lib.Init(); ret != nvml.SUCCESS {
		return nil, &NVMLError{Op: "Init", Ret: ret}
	}
	defer func() {
		if ret := lib.Shutdown(); ret != nvml.SUCCESS && err == nil {
			doc, err = nil, &NVMLError{Op: "Shutdown", Ret: ret}
		}
	}()

	doc = &Document{APIVersion: APIVersion, Devices: []Device{}}
	doc.Host.Name = opts.Host
	if doc.Host.Name == "" {
		if doc.Host.Name, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("host name: %w", err)
		}
	}
	doc.Host.Environment = opts.Environment
	doc.Time = opts.Now
	if doc.Time.IsZero() {
		doc.Time = time.Now()
	}
	doc.Time = doc.Time.UTC().Truncate(time.Second)

	if v, ret := lib.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		doc.DriverVersion = v
	} else if ret != nvml.ERROR_NOT_SUPPORTED {
		return nil, &NVMLError{Op: "SystemGetDriverVersion", Ret: ret}
	}
	if v, ret := lib.SystemGetCudaDriverVersion(); ret == nvml.SUCCESS {
		doc.CUDAVersion = fmt.Sprintf("%d.%d", v/1000, v%1000/10)
	} else if ret != nvml.ERROR_NOT_SUPPORTED {
		return nil, &NVMLError{Op: "SystemGetCudaDriverVersion", Ret: ret}
	}
	n, ret := lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return nil, &NVMLError{Op: "DeviceGetCount", Ret: ret}
	}
	anyMIG := false
	for i := range n {
		dev, err := device(lib, i, opts.Spec)
		if err != nil {
			return nil, err
		}
		anyMIG = anyMIG || dev.MIGMode
		doc.Devices = append(doc.Devices, *dev)
	}
	doc.Host.Labels = gfdLabels(doc.Devices, anyMIG)
	return doc, nil
}

func device(lib nvml.Interface, i int, spec *model.Spec) (*Device, error) {
	fail := func(op string, ret nvml.Return) error { return &DeviceError{Index: i, Op: op, Ret: ret} }
	h, ret := lib.DeviceGetHandleByIndex(i)
	if ret != nvml.SUCCESS {
		return nil, fail("DeviceGetHandleByIndex", ret)
	}
	d := &Device{Index: i}
	if d.UUID, ret = h.GetUUID(); ret != nvml.SUCCESS {
		return nil, fail("GetUUID", ret)
	}
	if d.Product, ret = h.GetName(); ret != nvml.SUCCESS {
		return nil, fail("GetName", ret)
	}
	d.Model, _ = spec.GPUModelOf(d.Product)
	mem, ret := h.GetMemoryInfo()
	if ret != nvml.SUCCESS {
		return nil, fail("GetMemoryInfo", ret)
	}
	d.MemoryBytes, d.MemoryUsedBytes = mem.Total, mem.Used
	current, _, ret := h.GetMigMode()
	switch ret {
	case nvml.SUCCESS:
		d.MIGMode = current == nvml.DEVICE_MIG_ENABLE
	case nvml.ERROR_NOT_SUPPORTED:
	default:
		return nil, fail("GetMigMode", ret)
	}
	if d.MIGMode {
		max, ret := h.GetMaxMigDeviceCount()
		if ret != nvml.SUCCESS {
			return nil, fail("GetMaxMigDeviceCount", ret)
		}
		for j := range max {
			m, ret := h.GetMigDeviceHandleByIndex(j)
			if ret == nvml.ERROR_NOT_FOUND || ret == nvml.ERROR_INVALID_ARGUMENT {
				continue // an empty slot
			}
			if ret != nvml.SUCCESS {
				return nil, fail("GetMigDeviceHandleByIndex", ret)
			}
			uuid, ret := m.GetUUID()
			if ret != nvml.SUCCESS {
				return nil, fail("MIG GetUUID", ret)
			}
			attr, ret := m.GetAttributes()
			if ret != nvml.SUCCESS {
				return nil, fail("MIG GetAttributes", ret)
			}
			d.MIGDevices = append(d.MIGDevices, MIGDevice{
				UUID:    uuid,
				Profile: MIGProfileName(attr.GpuInstanceSliceCount, attr.MemorySizeMB, mem.Total>>20),
			})
		}
	}
	u, ret := h.GetUtilizationRates()
	switch ret {
	case nvml.SUCCESS:
		p := int(min(u.Gpu, 100))
		d.UtilisationPercent = &p
	case nvml.ERROR_NOT_SUPPORTED, nvml.ERROR_NO_PERMISSION:
		// MIG mode: NVML does not report whole-GPU utilisation.
	default:
		return nil, fail("GetUtilizationRates", ret)
	}
	return d, nil
}

// MIGProfileName names a MIG profile as NVIDIA does ("1g.10gb"): the GPU
// instance's slices and its memory as a share of the GPU's, rounded to an
// eighth, in whole GB.
func MIGProfileName(slices uint32, migMB, totalMB uint64) string {
	if totalMB == 0 {
		return fmt.Sprintf("%dg.%dgb", slices, (migMB+1023)/1024)
	}
	totalGB := float64((totalMB + 1023) / 1024)
	share := math.Round(float64(migMB)/float64(totalMB)*8) / 8
	share = max(share, 0.125)
	return fmt.Sprintf("%dg.%dgb", slices, int(math.Ceil(share*totalGB)))
}

// gfdLabels are the node labels GPU Feature Discovery would give the host.
func gfdLabels(devs []Device, anyMIG bool) map[string]string {
	labels := map[string]string{LabelCount: strconv.Itoa(len(devs))}
	if len(devs) == 0 {
		return labels
	}
	// GFD labels the first GPU's product and memory.
	labels[LabelProduct] = model.ProductLabel(devs[0].Product)
	labels[LabelMemory] = strconv.FormatUint(devs[0].MemoryBytes>>20, 10)
	strategy := "none"
	if anyMIG {
		strategy = "mixed"
		same := true
		for _, d := range devs {
			if !d.MIGMode || len(d.MIGDevices) == 0 || d.MIGDevices[0].Profile != devs[0].MIGDevices[0].Profile {
				same = false
				break
			}
			for _, m := range d.MIGDevices {
				same = same && m.Profile == devs[0].MIGDevices[0].Profile
			}
		}
		if same {
			strategy = "single"
		}
	}
	labels[LabelMIGStrategy] = strategy
	return labels
}

// IsUnavailable reports whether err means NVML could not be used at all.
func IsUnavailable(err error) bool {
	var ne *NVMLError
	return errors.As(err, &ne)
}
