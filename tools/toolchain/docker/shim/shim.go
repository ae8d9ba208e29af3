// Package shim hands kreuzwerker's SDKv2 provider to the bridge. The constructor lives under the
// upstream module's internal/, which Go lets only packages under the module's own path import: hence
// this module's path, wired in with a directory replace in ../go.mod.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the Terraform docker provider's SDKv2 half (containers, networks, images, …).
func NewProvider(version string) *schema.Provider { return provider.New(version)() }
