// Command alexnet converts PyTorch AlexNet checkpoints to the weights format
// and runs them: classify images, evaluate on a directory, inspect a weight
// file, benchmark the engine, explain an answer, look at filters and
// activations, and teach new classes.
//
//	alexnet convert [-arch seed|torchvision|paper] [-quant int8|f16|f32|mixed] [-name NAME]
//	                [-calib calib.json] [-resize N] [-mean R,G,B] [-std R,G,B] -labels LABELS IN.pth OUT
//	alexnet classify [-weights FILE] [-top K] [-json] INPUT...
//	alexnet eval [-weights FILE] [-json] [-split FILE] [-j N] DIR
//	alexnet inspect FILE
//	alexnet bench [-weights FILE] [-n N]
//	alexnet explain [-weights FILE] [-class LABEL] [-method gradcam|occlusion] [-out FILE.png]
//	                [-opacity A] [-patch N] [-stride N] IMAGE
//	alexnet filters [-weights FILE] [-per-filter] [-scale N] -out FILE.png
//	alexnet activations [-weights FILE] -layer NAME [-max N] [-same-scale] -out FILE.png IMAGE
//	alexnet teach [-weights BASE] [-out FILE] [-name NAME] [-seed N] [-holdout FRACTION] DIR
//
// Without -weights the shipped default model (package defaultmodel) is used.
// Errors go to stderr as one line, with a non-zero exit status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// errUsage marks errors whose message is the usage line (exit status 2).
var errUsage = errors.New("usage")

type command struct {
	name, usage, help string
	run               func(env *env, args []string) error
}

// commands is set in init: the commands' flag sets read it for their usage.
var commands []command

func init() {
	commands = []command{
		{"convert", "convert [-arch seed|torchvision|paper] [-quant int8|f16|f32|mixed] [-name NAME] [-calib calib.json] [-resize N] [-mean R,G,B] [-std R,G,B] -labels LABELS IN.pth OUT",
			"convert a PyTorch state_dict checkpoint to a weight file", runConvert},
		{"classify", "classify [-weights FILE] [-top K] [-json] INPUT...",
			"classify JPEG/PNG images or .npy (1,3,H,W) tensors", runClassify},
		{"eval", "eval [-weights FILE] [-json] [-split FILE] [-j N] DIR",
			"accuracy and confusion matrix over DIR/<label>/*", runEval},
		{"inspect", "inspect FILE", "print a weight file's header", runInspect},
		{"bench", "bench [-weights FILE] [-n N]", "time the forward pass per layer", runBench},
		{"explain", "explain [-weights FILE] [-class LABEL] [-method gradcam|occlusion] [-out FILE.png] [-opacity A] [-patch N] [-stride N] IMAGE",
			"heatmap of the photo regions that drove the answer (Grad-CAM or occlusion), over the photo", runExplain},
		{"filters", "filters [-weights FILE] [-per-filter] [-scale N] -out FILE.png", "the first layer's filters as an image grid", runFilters},
		{"activations", "activations [-weights FILE] -layer NAME [-max N] [-same-scale] -out FILE.png IMAGE", "one layer's activation maps as tiles, strongest first", runActivations},
		{"teach", "teach [-weights BASE] [-out FILE] [-name NAME] [-seed N] [-holdout FRACTION] DIR", "teach new classes from DIR/<class>/* on top of a model", runTeach},
	}
}

// env is where a command writes; tests use buffers.
type env struct {
	stdout, stderr io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one command and returns the exit status. Errors are printed as one
// line; a panic (a bug) is reported the same way, without a stack trace.
func run(args []string, stdout, stderr io.Writer) (code int) {
	e := &env{stdout, stderr}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "alexnet: internal error: %v\n", r)
			code = 3
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "alexnet %s: %s (see alexnet %s -h)\n", c.name, strings.TrimPrefix(oneLine(err), "usage: "), c.name)
			return 2
		}
		fmt.Fprintf(stderr, "alexnet %s: %s\n", c.name, oneLine(err))
		return 1
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	fmt.Fprintf(stderr, "alexnet: unknown command %q (want one of %s)\n", args[0], strings.Join(names, ", "))
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: alexnet <command> [flags] [args]")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.help)
	}
	fmt.Fprintln(w, "run alexnet <command> -h for its flags")
}

func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}

// newFlags makes a FlagSet that reports errors as values instead of exiting.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("alexnet "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse errors come back as one line; -h prints below
	for _, c := range commands {
		if c.name == name {
			fs.Usage = func() {
				fmt.Fprintf(e.stderr, "usage: alexnet %s\n%s\n", c.usage, c.help)
				fs.SetOutput(e.stderr)
				fs.PrintDefaults()
				fs.SetOutput(io.Discard)
			}
		}
	}
	return fs
}

// parse parses flags; a bad flag comes back as a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on every error; print it for -h only
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}
