package gpu

import (
	"fmt"
	"strings"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxa100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/gpus"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"
)

// Device models stand in for the NVML library in tests and demos
// (--source mock:NAME). They are deterministic: fixed UUIDs and
// utilisation, so documents built from them can be compared.

// l4 is an NVIDIA L4, which go-nvml's mock/gpus does not model.
var l4 = gpus.Config{
	Name:         "NVIDIA L4",
	Architecture: nvml.DEVICE_ARCH_ADA,
	Brand:        nvml.BRAND_NVIDIA,
	MemoryMB:     23034,
	CudaMajor:    8,
	CudaMinor:    9,
	PciDeviceId:  0x27B810DE,
}

// MockNames are the device models --source mock:NAME accepts.
var MockNames = []string{"dgxa100", "h100x8", "mixed"}

// Mock returns the named device model.
func Mock(name string) (nvml.Interface, error) {
	switch name {
	case "dgxa100":
		return DGXA100(), nil
	case "h100x8":
		return H100x8(), nil
	case "mixed":
		return Mixed(), nil
	}
	return nil, fmt.Errorf("unknown device model %q: want one of %s", name, strings.Join(MockNames, ", "))
}

// DGXA100 is go-nvml's mock/dgxa100: eight A100-SXM4-40GB, MIG off.
func DGXA100() nvml.Interface {
	s := dgxa100.New()
	finish(s, "a100")
	return s
}

// H100x8 is an 8×H100 80GB HBM3 host with MIG on GPUs 0 (seven 1g.10gb)
// and 1 (one 3g.40gb, two 2g.20gb).
func H100x8() nvml.Interface {
	s, _ := server.New(
		server.WithGPUs(gpus.Multiple(8, gpus.H100_SXM5_80GB)...),
		server.WithDriverVersion("570.124.06"),
		server.WithNVMLVersion("12.570.124.06"),
		server.WithCUDADriverVersion(12080),
	)
	finish(s, "h100")
	dev := func(i int) *server.Device { return s.Devices[i].(*server.Device) }
	enableMIG(dev(0), "h100", []migSlice{{1, 9856}, {1, 9856}, {1, 9856}, {1, 9856}, {1, 9856}, {1, 9856}, {1, 9856}})
	enableMIG(dev(1), "h100", []migSlice{{3, 40192}, {2, 19968}, {2, 19968}})
	return s
}

// Mixed is a host with two H100s, four L4s and an A30 no table maps.
func Mixed() nvml.Interface {
	cfgs := append(gpus.Multiple(2, gpus.H100_SXM5_80GB), gpus.Multiple(4, l4)...)
	cfgs = append(cfgs, gpus.A30_PCIE_24GB)
	s, _ := server.New(
		server.WithGPUs(cfgs...),
		server.WithDriverVersion("570.124.06"),
		server.WithNVMLVersion("12.570.124.06"),
		server.WithCUDADriverVersion(12080),
	)
	finish(s, "mixd")
	return s
}

// finish gives a model's devices fixed UUIDs, utilisation and memory use,
// and the MIG queries discovery makes.
func finish(s *server.Server, tag string) {
	for i, d := range s.Devices {
		dev := d.(*server.Device)
		dev.UUID = mockUUID(tag, i, 0)
		// go-nvml names its A100 model "Mock NVIDIA A100-SXM4-40GB"; the
		// real product name is what maps to a spec model.
		dev.Config.Name = strings.TrimPrefix(dev.Config.Name, "Mock ")
		util := uint32((i*37 + 20) % 101)
		dev.MemoryInfo.Used = dev.MemoryInfo.Total / 100 * uint64(util/2)
		dev.MemoryInfo.Free = dev.MemoryInfo.Total - dev.MemoryInfo.Used
		dev.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) {
			dev.RLock()
			defer dev.RUnlock()
			if dev.MigMode == nvml.DEVICE_MIG_ENABLE {
				return nvml.Utilization{}, nvml.ERROR_NOT_SUPPORTED
			}
			return nvml.Utilization{Gpu: util, Memory: util / 2}, nvml.SUCCESS
		}
		dev.GetMaxMigDeviceCountFunc = func() (int, nvml.Return) { return 0, nvml.SUCCESS }
		dev.IsMigDeviceHandleFunc = func() (bool, nvml.Return) { return false, nvml.SUCCESS }
	}
}

type migSlice struct {
	slices   uint32
	memoryMB uint64
}

// enableMIG switches MIG on for dev and partitions it into the given
// instances, as MIG devices answering GetUUID and GetAttributes.
func enableMIG(dev *server.Device, tag string, parts []migSlice) {
	dev.MigMode = nvml.DEVICE_MIG_ENABLE
	migs := make([]nvml.Device, len(parts))
	for i, p := range parts {
		m := &mock.Device{}
		uuid := "MIG-" + strings.TrimPrefix(mockUUID(tag, dev.Index, i+1), "GPU-")
		m.GetUUIDFunc = func() (string, nvml.Return) { return uuid, nvml.SUCCESS }
		m.IsMigDeviceHandleFunc = func() (bool, nvml.Return) { return true, nvml.SUCCESS }
		m.GetAttributesFunc = func() (nvml.DeviceAttributes, nvml.Return) {
			return nvml.DeviceAttributes{GpuInstanceSliceCount: p.slices, ComputeInstanceSliceCount: p.slices, MemorySizeMB: p.memoryMB}, nvml.SUCCESS
		}
		m.GetDeviceHandleFromMigDeviceHandleFunc = func() (nvml.Device, nvml.Return) { return dev, nvml.SUCCESS }
		migs[i] = m
	}
	dev.GetMaxMigDeviceCountFunc = func() (int, nvml.Return) { return 7, nvml.SUCCESS }
	dev.GetMigDeviceHandleByIndexFunc = func(n int) (nvml.Device, nvml.Return) {
		if n < 0 || n >= 7 {
			return nil, nvml.ERROR_INVALID_ARGUMENT
		}
		if n >= len(migs) {
			return nil, nvml.ERROR_NOT_FOUND
		}
		return migs[n], nvml.SUCCESS
	}
}

// mockUUID is a fixed UUID for device i of a model tagged tag.
func mockUUID(tag string, i, j int) string {
	return fmt.Sprintf("GPU-%x-%04x-4000-8000-%012x", fmt.Sprintf("%-4.4s", tag), i, j)
}
