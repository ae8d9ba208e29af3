// pulumi-resource-docker serves the bridged docker provider to the engine.
//
// schema.json is not committed: the build generates it (cmd/gen-schema) and supplies it with
// `go build -overlay`, so the source tree stays as committed.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"harness.local/toolchain/docker/mapping"
)

// version is set at build time: the @pulumi/docker SDK version this plugin serves.
var version = "0.0.0-dev"

//go:embed schema.json
var schema []byte

func main() { tfbridge.Main("docker", version, mapping.Provider(version), schema) }
