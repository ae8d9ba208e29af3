package local

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestRunCapturesStreamsSeparatelyWithoutTheFinalNewline(t *testing.T) {
	out, err := run(context.Background(), "echo out; echo err >&2; printf 'two\\nlines\\n'", BaseArgs{}, BaseState{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Stdout != "out\ntwo\nlines" || out.Stderr != "err" {
		t.Fatalf("stdout %q, stderr %q", out.Stdout, out.Stderr)
	}
}

func TestRunEnvironmentDirStdinAndInterpreter(t *testing.T) {
	dir := t.TempDir()
	in := BaseArgs{
		Dir:         ptr(dir),
		Environment: ptr(map[string]string{"GREETING": "hello"}),
		Stdin:       ptr("from stdin"),
		Interpreter: ptr([]string{"/bin/bash", "-c"}),
	}
	out, err := run(context.Background(), `echo "$GREETING $(pwd) $(cat) ${BASH_VERSION:+bash}"`, in, BaseState{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "hello " + dir + " from stdin bash"; out.Stdout != want {
		t.Fatalf("got %q, want %q", out.Stdout, want)
	}
}

func TestRunPreviousOutputInEnvUnlessTurnedOff(t *testing.T) {
	previous := BaseState{Stdout: "old out", Stderr: "old err"}
	cmd := `echo "[$PULUMI_COMMAND_STDOUT|$PULUMI_COMMAND_STDERR]"`
	out, err := run(context.Background(), cmd, BaseArgs{}, previous)
	if err != nil || out.Stdout != "[old out|old err]" {
		t.Fatalf("default (on): %q, %v", out.Stdout, err)
	}
	out, err = run(context.Background(), cmd, BaseArgs{AddPreviousOutputInEnv: ptr(false)}, previous)
	if err != nil || out.Stdout != "[|]" {
		t.Fatalf("off: %q, %v", out.Stdout, err)
	}
}

func TestRunFailureNamesTheExitStatusTheCommandAndItsOutput(t *testing.T) {
	_, err := run(context.Background(), "echo doing; echo broken >&2; exit 3", BaseArgs{}, BaseState{})
	if err == nil {
		t.Fatal("a non-zero exit must fail")
	}
	for _, want := range []string{"exit status 3", `"echo doing; echo broken >&2; exit 3"`, "doing\n", "broken\n"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRunMissingDirFails(t *testing.T) {
	if _, err := run(context.Background(), "true", BaseArgs{Dir: ptr("/nonexistent/dir")}, BaseState{}); err == nil {
		t.Fatal("a missing dir must fail the step")
	}
}

func TestRunCancelEndsTheWholeProcessGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := run(ctx, "sleep 60 & echo $! > "+pidFile+"; wait", BaseArgs{}, BaseState{})
		done <- err
	}()
	var pid int
	for i := 0; i < 100 && pid == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		if b, err := os.ReadFile(pidFile); err == nil && len(b) > 1 {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	if pid == 0 {
		t.Fatal("the command never started its child")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cancelled") {
			t.Fatalf("want a cancellation error, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled command did not end")
	}
	// The grandchild (`sleep`) went with the group, not only the shell. (Gone, or a zombie nobody
	// reaped yet: a container's init may not reap orphans.)
	for i := 0; i < 50; i++ {
		if syscall.Kill(pid, 0) != nil || zombie(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d outlived the cancelled command", pid)
}

func TestRunAssetsFollowTheGlobsInOrderWithExcludes(t *testing.T) {
	dir := t.TempDir()
	in := BaseArgs{Dir: ptr(dir), AssetPaths: ptr([]string{"out/**", "!**secret.*"})}
	out, err := run(context.Background(), "mkdir -p out/sub && echo a > out/a.txt && echo s > out/secret.txt && echo b > out/sub/b.txt && echo x > top.txt", in, BaseState{})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for k := range *out.Assets {
		got = append(got, k)
	}
	if len(got) != 2 || (*out.Assets)["out/a.txt"] == nil || (*out.Assets)["out/sub/b.txt"] == nil {
		t.Fatalf("assets %v", got)
	}
}

func zombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) state …: the state follows the last ')'.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}
