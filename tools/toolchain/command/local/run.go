package local

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gobwas/glob"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Logging says which of the command's streams are shown in the engine's log while it runs.
type Logging string

const (
	LogStdout          Logging = "stdout"
	LogStderr          Logging = "stderr"
	LogStdoutAndStderr Logging = "stdoutAndStderr"
	LogNone            Logging = "none"
)

// Values makes Logging an enum in the schema.
func (Logging) Values() []infer.EnumValue[Logging] {
	return []infer.EnumValue[Logging]{
		{Name: "Stdout", Value: LogStdout, Description: "Log stdout, not stderr."},
		{Name: "Stderr", Value: LogStderr, Description: "Log stderr, not stdout."},
		{Name: "StdoutAndStderr", Value: LogStdoutAndStderr, Description: "Log both (the default)."},
		{Name: "None", Value: LogNone, Description: "Log neither."},
	}
}

// BaseArgs are the inputs shared by Command and run.
type BaseArgs struct {
	Interpreter            *[]string          `pulumi:"interpreter,optional"`
	Dir                    *string            `pulumi:"dir,optional"`
	Environment            *map[string]string `pulumi:"environment,optional"`
	Stdin                  *string            `pulumi:"stdin,optional"`
	AssetPaths             *[]string          `pulumi:"assetPaths,optional"`
	ArchivePaths           *[]string          `pulumi:"archivePaths,optional"`
	AddPreviousOutputInEnv *bool              `pulumi:"addPreviousOutputInEnv,optional"`
	Logging                *Logging           `pulumi:"logging,optional"`
}

// Annotate documents the shared inputs.
func (b *BaseArgs) Annotate(a infer.Annotator) {
	a.Describe(&b.Interpreter, "The program and arguments that run the command; default [\"/bin/sh\", \"-c\"].")
	a.Describe(&b.Dir, "The working directory; default the engine's. A missing directory fails the step.")
	a.Describe(&b.Environment, "Variables added to the engine's environment for the command.")
	a.Describe(&b.Stdin, "Text passed to the command on standard input.")
	a.Describe(&b.AssetPaths, "Globs (relative to dir, `!` excludes) of files returned as `assets` after the command.")
	a.Describe(&b.ArchivePaths, "Globs (relative to dir, `!` excludes) of files returned as one `archive` after the command.")
	a.Describe(&b.AddPreviousOutputInEnv, "Pass the previous stdout and stderr as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR.")
	a.SetDefault(&b.AddPreviousOutputInEnv, true)
	a.Describe(&b.Logging, "Which streams are shown in the engine's log while the command runs; default both.")
}

// BaseState is the output of a run.
type BaseState struct {
	Stdout  string                      `pulumi:"stdout"`
	Stderr  string                      `pulumi:"stderr"`
	Assets  *map[string]*resource.Asset `pulumi:"assets,optional"`
	Archive *resource.Archive           `pulumi:"archive,optional"`
}

// Annotate documents the outputs.
func (b *BaseState) Annotate(a infer.Annotator) {
	a.Describe(&b.Stdout, "The command's standard output, without its final newline.")
	a.Describe(&b.Stderr, "The command's standard error, without its final newline.")
	a.Describe(&b.Assets, "The files matched by assetPaths, keyed by their path relative to dir.")
	a.Describe(&b.Archive, "The files matched by archivePaths, as one archive.")
}

// killGrace is how long a cancelled command's process group has between SIGTERM and SIGKILL.
const killGrace = 5 * time.Second

// errTail is how much of the combined output a failure message quotes.
const errTail = 16 * 1024

// run executes command with the inputs in, and returns its output. previous is the last recorded
// output (for PULUMI_COMMAND_STDOUT/STDERR). A cancelled step (Ctrl-C in the engine) terminates the
// command's whole process group, not only the shell.
func run(ctx context.Context, command string, in BaseArgs, previous BaseState) (BaseState, error) {
	argv := []string{"/bin/sh", "-c"}
	if in.Interpreter != nil && len(*in.Interpreter) > 0 {
		argv = append([]string{}, *in.Interpreter...)
	}
	argv = append(argv, command)

	cmd := exec.Command(argv[0], argv[1:]...)
	if in.Dir != nil {
		cmd.Dir = *in.Dir
	}
	cmd.Env = os.Environ()
	if in.Environment != nil {
		for k, v := range *in.Environment {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	if in.AddPreviousOutputInEnv == nil || *in.AddPreviousOutputInEnv {
		if previous.Stdout != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+previous.Stdout)
		}
		if previous.Stderr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+previous.Stderr)
		}
	}
	if in.Stdin != nil && *in.Stdin != "" {
		cmd.Stdin = strings.NewReader(*in.Stdin)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	logging := LogStdoutAndStderr
	if in.Logging != nil {
		logging = *in.Logging
	}
	logger := p.GetLogger(ctx)
	var stdout, stderr bytes.Buffer
	combined := &tail{max: errTail}
	var wg sync.WaitGroup
	stream := func(r io.Reader, keep *bytes.Buffer, show bool) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for sc.Scan() {
			line := sc.Text()
			keep.WriteString(line)
			keep.WriteByte('\n')
			combined.write(line)
			if show {
				logger.Info(line)
			}
		}
		// A line longer than the scanner's buffer: keep the rest unsplit rather than lose it.
		if sc.Err() != nil {
			rest, _ := io.ReadAll(r)
			keep.Write(rest)
		}
	}
	outR, err := cmd.StdoutPipe()
	if err != nil {
		return BaseState{}, err
	}
	errR, err := cmd.StderrPipe()
	if err != nil {
		return BaseState{}, err
	}
	if err := cmd.Start(); err != nil {
		return BaseState{}, fmt.Errorf("starting %q: %w", argv[0], err)
	}
	wg.Add(2)
	go stream(outR, &stdout, logging == LogStdout || logging == LogStdoutAndStderr)
	go stream(errR, &stderr, logging == LogStderr || logging == LogStdoutAndStderr)

	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(killGrace):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		case <-done:
		}
	}()
	wg.Wait()
	err = cmd.Wait()
	close(done)
	if ctx.Err() != nil {
		return BaseState{}, fmt.Errorf("cancelled: %q was terminated", command)
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("exit status %d", exit.ExitCode())
		}
		return BaseState{}, fmt.Errorf("%w: running %q:\n%s", err, command, combined.String())
	}

	out := BaseState{
		Stdout: strings.TrimSuffix(stdout.String(), "\n"),
		Stderr: strings.TrimSuffix(stderr.String(), "\n"),
	}
	dir := cmd.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return BaseState{}, err
		}
	}
	if in.AssetPaths != nil {
		assets, err := globAssets(dir, *in.AssetPaths)
		if err != nil {
			return BaseState{}, err
		}
		out.Assets = &assets
	}
	if in.ArchivePaths != nil {
		assets, err := globAssets(dir, *in.ArchivePaths)
		if err != nil {
			return BaseState{}, err
		}
		members := map[string]any{}
		for name, asset := range assets {
			members[name] = asset
		}
		archive, err := resource.NewAssetArchive(members)
		if err != nil {
			return BaseState{}, err
		}
		out.Archive = archive
	}
	return out, nil
}

// tail keeps the last max bytes of the interleaved output lines, for error messages.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) write(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, line...)
	t.buf = append(t.buf, '\n')
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// globAssets returns the files under dir matched by globs, in order; a glob starting with `!`
// removes what earlier globs matched.
func globAssets(dir string, globs []string) (map[string]*resource.Asset, error) {
	type rule struct {
		g       glob.Glob
		exclude bool
	}
	rules := make([]rule, 0, len(globs))
	for _, pattern := range globs {
		exclude := strings.HasPrefix(pattern, "!")
		g, err := glob.Compile(strings.TrimPrefix(pattern, "!"), '/')
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", pattern, err)
		}
		rules = append(rules, rule{g, exclude})
	}
	assets := map[string]*resource.Asset{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, r := range rules {
			if !r.g.Match(rel) {
				continue
			}
			if r.exclude {
				delete(assets, rel)
				continue
			}
			asset, err := resource.NewPathAsset(path.Join(dir, rel))
			if err != nil {
				return err
			}
			assets[rel] = asset
		}
		return nil
	})
	return assets, err
}
