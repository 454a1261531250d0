package model

import (
	"maps"
	"slices"
	"strings"
)

// GPUProducts maps the product names NVML reports (nvmlDeviceGetName) to
// the spec's GPU model names. GPU Feature Discovery labels nodes with the
// same names, spaces replaced by '-' (nvidia.com/gpu.product). A spec
// extends or overrides it with platform.gpuModels.
var GPUProducts = map[string]string{
	"NVIDIA H100 80GB HBM3":          "h100",
	"NVIDIA H100 PCIe":               "h100-pcie",
	"NVIDIA H100 NVL":                "h100-nvl",
	"NVIDIA H200":                    "h200",
	"NVIDIA H200 NVL":                "h200-nvl",
	"NVIDIA A100-SXM4-80GB":          "a100-80gb",
	"NVIDIA A100-SXM4-40GB":          "a100",
	"NVIDIA A100 80GB PCIe":          "a100-80gb-pcie",
	"NVIDIA A100-PCIE-40GB":          "a100-pcie",
	"NVIDIA L4":                      "l4",
	"NVIDIA L40S":                    "l40s",
	"NVIDIA A10G":                    "a10g",
	"NVIDIA A10":                     "a10",
	"Tesla T4":                       "t4",
	"Tesla V100-SXM2-16GB":           "v100",
	"NVIDIA B200":                    "b200",
	"NVIDIA GB200":                   "gb200",
	"NVIDIA RTX 6000 Ada Generation": "rtx6000-ada",
}

// GPUModelOf returns the spec's model name for an NVML product name, using
// the spec's own table first; ok is false for a product nobody mapped.
func (s *Spec) GPUModelOf(product string) (model string, ok bool) {
	if s != nil && s.Platform != nil {
		if m, ok := s.Platform.GPUModels[product]; ok {
			return m, true
		}
	}
	m, ok := GPUProducts[product]
	return m, ok
}

// GPUProductOf returns the NVML product name of a GPU model (the first in
// name order when several products map to it, the spec's own table
// first), and the node label value GPU Feature Discovery gives it. For a
// model nobody mapped, the model name itself is returned.
func (s *Spec) GPUProductOf(model string) (product, label string) {
	find := func(table map[string]string) string {
		for _, p := range slices.Sorted(maps.Keys(table)) {
			if table[p] == model {
				return p
			}
		}
		return ""
	}
	if s != nil && s.Platform != nil {
		product = find(s.Platform.GPUModels)
	}
	if product == "" {
		product = find(GPUProducts)
	}
	if product == "" {
		product = model
	}
	return product, ProductLabel(product)
}

// GPUProductLabel is the node label GPU Feature Discovery names a node's
// GPU product with.
const GPUProductLabel = "nvidia.com/gpu.product"

// ProductLabel is the GPUProductLabel value GPU Feature Discovery gives a
// product name NVML reports.
func ProductLabel(product string) string { return strings.ReplaceAll(product, " ", "-") }
