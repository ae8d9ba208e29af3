// Package local implements the `command:local:Command` resource and the `command:local:run`
// function of the `command` package, with the inputs and outputs the @pulumi/command SDK sends and
// reads. It exists because the upstream provider's Go module (github.com/pulumi/pulumi-command/provider)
// is not served by the module proxy here (tools/toolchain/README.md); it is written for this project on
// pulumi-go-provider, the framework the upstream provider is built on, and follows the documented
// behaviour of the SDK: only `triggers` replace, any other input change runs `update` (or `create`
// when there is no `update`), `delete` runs with the inputs the resource was created with, and a
// non-zero exit fails the step with the command's output in the error.
package local

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Command is a command run on the machine that runs the Pulumi engine, as part of a resource's life cycle.
type Command struct{}

var (
	_ infer.CustomResource[CommandArgs, CommandState]       = (*Command)(nil)
	_ infer.CustomUpdate[CommandArgs, CommandState]         = (*Command)(nil)
	_ infer.CustomDelete[CommandState]                      = (*Command)(nil)
	_ infer.ExplicitDependencies[CommandArgs, CommandState] = (*Command)(nil)
)

// Annotate names the resource `command:local:Command`.
func (c *Command) Annotate(a infer.Annotator) {
	a.Describe(c, "A local command, run on create, update and delete. A non-zero exit code fails the step.")
	a.SetToken("local", "Command")
}

// CommandArgs are the inputs of a Command.
type CommandArgs struct {
	BaseArgs
	Triggers *[]any  `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Create   *string `pulumi:"create,optional"`
	Delete   *string `pulumi:"delete,optional"`
	Update   *string `pulumi:"update,optional"`
}

// Annotate documents the Command inputs in the schema.
func (c *CommandArgs) Annotate(a infer.Annotator) {
	a.Describe(&c.Triggers, "Any change to these values replaces the resource: delete runs, then create.")
	a.Describe(&c.Create, "The command to run on create.")
	a.Describe(&c.Delete, "The command to run on delete, with the inputs the resource had.")
	a.Describe(&c.Update, "The command to run on update; when unset, create runs again.")
}

// CommandState is what a Command records: its inputs and the output of the last create or update.
type CommandState struct {
	CommandArgs
	BaseState
}

// WireDependencies: the echoed inputs depend only on themselves; stdout and stderr depend on every
// input (so a secret input makes them secret, and a change makes them unknown in a preview).
func (c *Command) WireDependencies(f infer.FieldSelector, args *CommandArgs, state *CommandState) {
	inputs := []infer.InputField{
		f.InputField(&args.Interpreter), f.InputField(&args.Dir), f.InputField(&args.Environment),
		f.InputField(&args.Stdin), f.InputField(&args.AssetPaths), f.InputField(&args.ArchivePaths),
		f.InputField(&args.AddPreviousOutputInEnv), f.InputField(&args.Logging),
		f.InputField(&args.Triggers), f.InputField(&args.Create), f.InputField(&args.Delete),
		f.InputField(&args.Update),
	}
	f.OutputField(&state.Interpreter).DependsOn(inputs[0])
	f.OutputField(&state.Dir).DependsOn(inputs[1])
	f.OutputField(&state.Environment).DependsOn(inputs[2])
	f.OutputField(&state.Stdin).DependsOn(inputs[3])
	f.OutputField(&state.AssetPaths).DependsOn(inputs[4])
	f.OutputField(&state.ArchivePaths).DependsOn(inputs[5])
	f.OutputField(&state.AddPreviousOutputInEnv).DependsOn(inputs[6])
	f.OutputField(&state.Logging).DependsOn(inputs[7])
	f.OutputField(&state.Triggers).DependsOn(inputs[8])
	f.OutputField(&state.Create).DependsOn(inputs[9])
	f.OutputField(&state.Delete).DependsOn(inputs[10])
	f.OutputField(&state.Update).DependsOn(inputs[11])
	for _, out := range []any{&state.Stdout, &state.Stderr, &state.Assets, &state.Archive} {
		f.OutputField(out).DependsOn(inputs...)
	}
}

// Create runs `create` (nothing in a preview).
func (c *Command) Create(
	ctx context.Context, req infer.CreateRequest[CommandArgs],
) (infer.CreateResponse[CommandState], error) {
	state := CommandState{CommandArgs: req.Inputs}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil {
		return infer.CreateResponse[CommandState]{}, err
	}
	if req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[CommandState]{ID: id, Output: state}, nil
	}
	state.BaseState, err = run(ctx, *req.Inputs.Create, req.Inputs.BaseArgs, BaseState{})
	return infer.CreateResponse[CommandState]{ID: id, Output: state}, err
}

// Update runs `update`, or `create` when there is no `update`.
func (c *Command) Update(
	ctx context.Context, req infer.UpdateRequest[CommandArgs, CommandState],
) (infer.UpdateResponse[CommandState], error) {
	state := CommandState{CommandArgs: req.Inputs, BaseState: req.State.BaseState}
	cmd := req.Inputs.Update
	if cmd == nil {
		cmd = req.Inputs.Create
	}
	if req.DryRun || cmd == nil {
		return infer.UpdateResponse[CommandState]{Output: state}, nil
	}
	next, err := run(ctx, *cmd, req.Inputs.BaseArgs, req.State.BaseState)
	if err != nil {
		// A failed update keeps the previous outputs in state.
		return infer.UpdateResponse[CommandState]{Output: state}, err
	}
	state.BaseState = next
	return infer.UpdateResponse[CommandState]{Output: state}, nil
}

// Delete runs `delete` with the inputs the resource was created or last updated with.
func (c *Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandState]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, err := run(ctx, *req.State.Delete, req.State.BaseArgs, req.State.BaseState)
	return infer.DeleteResponse{}, err
}

// Run is the `command:local:run` function: runs a command once, at the time the program calls it.
type Run struct{}

// RunArgs are the inputs of `run`.
type RunArgs struct {
	BaseArgs
	Command string `pulumi:"command"`
}

// RunState is the result of `run`. Unlike Command, it returns no assets: a function's result
// cannot carry them in this framework, so assetPaths and archivePaths are refused.
type RunState struct {
	RunArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

// Annotate names the function `command:local:run`.
func (r *Run) Annotate(a infer.Annotator) {
	a.Describe(r, "Runs a command on the machine that runs the Pulumi engine, when the program calls it.")
	a.SetToken("local", "run")
}

// Invoke runs the command (also in a preview, as the SDK documents).
func (r *Run) Invoke(ctx context.Context, req infer.FunctionRequest[RunArgs]) (infer.FunctionResponse[RunState], error) {
	if req.Input.AssetPaths != nil || req.Input.ArchivePaths != nil {
		return infer.FunctionResponse[RunState]{}, fmt.Errorf(
			"local.run: assetPaths and archivePaths are not supported by this build of the command provider; use a local.Command")
	}
	out, err := run(ctx, req.Input.Command, req.Input.BaseArgs, BaseState{})
	return infer.FunctionResponse[RunState]{
		Output: RunState{RunArgs: req.Input, Stdout: out.Stdout, Stderr: out.Stderr},
	}, err
}
