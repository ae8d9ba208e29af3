// pulumi-resource-command serves the `command` package (local.Command and local.run) to the engine.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-go-provider/infer"

	"harness.local/toolchain/command/local"
)

// version is set at build time (-ldflags -X main.version=…).
var version = "0.0.0-dev"

func main() {
	provider, err := infer.NewProviderBuilder().
		WithDisplayName("command (harness build)").
		WithDescription("local.Command and local.run for the harness's real-engine tier").
		WithResources(infer.Resource(&local.Command{})).
		WithFunctions(infer.Function(&local.Run{})).
		Build()
	if err == nil {
		err = provider.Run(context.Background(), "command", version)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
