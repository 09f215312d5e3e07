// Flags: k3s-style layering over CLI11 for every subcommand. A value comes from the command line,
// else from its K1S_* environment variable, else from the YAML config file (/etc/k1s/config.yaml or
// --config; keys are flag names), else the default. Main thread only, at start-up.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s::cmd {

// The environment variable for a flag: --data-dir -> K1S_DATA_DIR.
std::string EnvNameFor(const std::string& flag);

// Adds --config/-c (env K1S_CONFIG_FILE) to app; returns the variable it fills.
void AddConfigFlag(CLI::App& app, std::string* config_path);

// Parses argv into app (flags and env), then applies the config file to every option still unset.
// `command` names the subcommand in messages ("k1s server"). When parsing ends the program (help
// printed: code 0; error: code 1) the outcome says so.
struct ParseOutcome {
  bool exit = false;
  int code = 0;
};
ParseOutcome ParseFlags(CLI::App& app, const std::string& command, int argc, char** argv);

// Applies the YAML file at path to app's unset options. `explicit_file`: a missing file is an error
// (otherwise a missing default file is fine). Errors name the file, the key and what was expected.
Status ApplyConfigFile(CLI::App& app, const std::string& command, const std::string& path, bool explicit_file);

// Validators with k3s-like messages.
CLI::Validator CidrValidator();
CLI::Validator PortRangeValidator();

}  // namespace k1s::cmd
