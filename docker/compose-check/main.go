// compose-check loads Compose files with compose-spec/compose-go, the loader `docker compose`
// itself uses (schema validation, interpolation, merge keys, depends_on references), and prints
// the resolved project as JSON. It stands in for `docker compose config` where the Compose
// plugin is not installed; no Docker engine is needed either way.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, "invalid Compose file:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check docker-compose.yml [more.yml ...]")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithDotEnv)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}
