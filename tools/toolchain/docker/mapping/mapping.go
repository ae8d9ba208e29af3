// Package mapping describes, for the Terraform bridge, how kreuzwerker's Terraform docker provider
// appears as the Pulumi `docker` package: the tokens and the few property names the @pulumi/docker
// SDK (5.x) uses. Everything else (property names, types, diffs, CRUD) is the bridge's and the
// upstream provider's own code. tools/toolchain/README.md says why this exists and what it covers.
package mapping

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

func resource(name string) tfbridge.ResourceInfo {
	return tfbridge.ResourceInfo{Tok: tfbridge.MakeResource("docker", "index", name)}
}

func dataSource(name string) *tfbridge.DataSourceInfo {
	return &tfbridge.DataSourceInfo{Tok: tfbridge.MakeDataSource("docker", "index", name)}
}

// Provider is the bridge's description of the provider, at `version`.
func Provider(version string) tfbridge.ProviderInfo {
	container := resource("Container")
	// Containers have fixed names: the old one must go before its replacement can be created.
	container.DeleteBeforeReplace = true
	container.Fields = map[string]*tfbridge.SchemaInfo{
		"command":           {Name: "command"},          // one command, not a list of commands
		"networks_advanced": {Name: "networksAdvanced"}, // not pluralised by the SDK
	}
	remoteImage := resource("RemoteImage")
	remoteImage.Fields = map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}}
	resources := map[string]*tfbridge.ResourceInfo{"docker_container": &container, "docker_image": &remoteImage}
	for tf, name := range map[string]string{
		"docker_buildx_builder": "BuildxBuilder",
		"docker_config":         "ServiceConfig",
		"docker_network":        "Network",
		"docker_plugin":         "Plugin",
		"docker_registry_image": "RegistryImage",
		"docker_secret":         "Secret",
		"docker_service":        "Service",
		"docker_tag":            "Tag",
		"docker_volume":         "Volume",
	} {
		r := resource(name)
		resources[tf] = &r
	}
	return tfbridge.ProviderInfo{
		P:         shimv2.NewProvider(shim.NewProvider(version)),
		Name:      "docker",
		Version:   version,
		GitHubOrg: "kreuzwerker",
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				Value: "unix:///var/run/docker.sock", EnvVars: []string{"DOCKER_HOST"},
			}},
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: resources,
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image":                    dataSource("getRemoteImage"),
			"docker_logs":                     dataSource("getLogs"),
			"docker_network":                  dataSource("getNetwork"),
			"docker_plugin":                   dataSource("getPlugin"),
			"docker_registry_image":           dataSource("getRegistryImage"),
			"docker_registry_image_manifests": dataSource("getRegistryImageManifests"),
		},
	}
}
