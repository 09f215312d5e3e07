#include "cmd/flags.h"

#include <arpa/inet.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>

#include "lib/base/files.h"

namespace k1s::cmd {

std::string EnvNameFor(const std::string& flag) {
  std::string out = "K1S_";
  for (char c : flag) {
    if (c == '-') {
      if (out.back() != '_' || out.size() == 4) out += '_';
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  // "--data-dir" gives "K1S___DATA_DIR" before cleanup: strip leading underscores after the prefix.
  std::string name = out.substr(4);
  while (!name.empty() && name.front() == '_') name.erase(0, 1);
  return "K1S_" + name;
}

void AddConfigFlag(CLI::App& app, std::string* config_path) {
  app.add_option("--config,-c", *config_path, "Load configuration from FILE (YAML; keys are flag names)")
      ->envname("K1S_CONFIG_FILE");
}

namespace {

std::string ScalarText(const YAML::Node& node) { return node.Scalar(); }

}  // namespace

Status ApplyConfigFile(CLI::App& app, const std::string& command, const std::string& path, bool explicit_file) {
  if (path.empty()) return OkStatus();
  if (!PathExists(path)) {
    if (!explicit_file) return OkStatus();
    return Fail(ErrorCode::kNotFound, command + ": config file " + path + " does not exist");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kBadRequest, command + ": config file " + path + ": invalid YAML at line " +
                                            std::to_string(e.mark.line + 1) + ", column " +
                                            std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return OkStatus();
  if (!root.IsMap()) {
    return Fail(ErrorCode::kBadRequest,
                command + ": config file " + path + ": expected a mapping of flag names to values");
  }
  for (const auto& item : root) {
    std::string key = item.first.as<std::string>("");
    const YAML::Node& value = item.second;
    std::string where = command + ": config file " + path + ": key \"" + key + "\"";
    if (key == "config" || key.empty()) {
      return Fail(ErrorCode::kBadRequest, command + ": config file " + path + ": unknown key \"" + key + "\"");
    }
    CLI::Option* opt = app.get_option_no_throw("--" + key);
    if (opt == nullptr) {
      return Fail(ErrorCode::kBadRequest, command + ": config file " + path + ": unknown key \"" + key +
                                              "\" (not a flag of '" + command + "'; see '" + command + " --help')");
    }
    if (opt->count() > 0) continue;  // set on the command line or by its environment variable
    std::vector<std::string> values;
    if (value.IsSequence()) {
      if (opt->get_items_expected_max() <= 1) {
        return Fail(ErrorCode::kBadRequest, where + ": expected a single value, got a list");
      }
      for (const auto& v : value) {
        if (!v.IsScalar()) return Fail(ErrorCode::kBadRequest, where + ": expected a list of plain values");
        values.push_back(ScalarText(v));
      }
    } else if (value.IsScalar()) {
      values.push_back(ScalarText(value));
    } else if (value.IsNull()) {
      continue;
    } else {
      return Fail(ErrorCode::kBadRequest, where + ": expected a value or a list, got a mapping");
    }
    try {
      for (const auto& v : values) opt->add_result(v);
      opt->run_callback();
    } catch (const CLI::Error& e) {
      return Fail(ErrorCode::kBadRequest, where + ": " + e.what());
    }
  }
  return OkStatus();
}

ParseOutcome ParseFlags(CLI::App& app, const std::string& command, int argc, char** argv) {
  CLI::Option* config_opt = app.get_option_no_throw("--config");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return {true, 0};
  } catch (const CLI::ParseError& e) {
    std::cerr << command << ": " << e.what() << " (see '" << command << " --help')\n";
    return {true, 1};
  }
  if (config_opt != nullptr) {
    std::string path = config_opt->count() > 0 ? config_opt->as<std::string>() : "";
    bool explicit_file = !path.empty();
    if (path.empty()) path = ::geteuid() == 0 ? "/etc/k1s/config.yaml" : HomeDir() + "/.k1s/config.yaml";
    auto s = ApplyConfigFile(app, command, path, explicit_file);
    if (!s.ok()) {
      std::cerr << s.error().message << "\n";
      return {true, 1};
    }
  }
  return {false, 0};
}

CLI::Validator CidrValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        for (const auto& part : CLI::detail::split(value, ',')) {
          auto slash = part.find('/');
          if (slash == std::string::npos) return "expected a CIDR like 10.42.0.0/16, got \"" + part + "\"";
          std::string ip = part.substr(0, slash), bits = part.substr(slash + 1);
          unsigned char buf[16];
          bool v4 = inet_pton(AF_INET, ip.c_str(), buf) == 1;
          bool v6 = !v4 && inet_pton(AF_INET6, ip.c_str(), buf) == 1;
          char* end = nullptr;
          long n = std::strtol(bits.c_str(), &end, 10);
          if ((!v4 && !v6) || bits.empty() || *end != '\0' || n < 0 || n > (v4 ? 32 : 128)) {
            return "expected a CIDR like 10.42.0.0/16, got \"" + part + "\"";
          }
        }
        return "";
      },
      "CIDR");
}

CLI::Validator PortRangeValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto dash = value.find('-');
        auto bad = "expected a port range like 30000-32767, got \"" + value + "\"";
        if (dash == std::string::npos) return bad;
        char* end = nullptr;
        long lo = std::strtol(value.substr(0, dash).c_str(), &end, 10);
        if (*end) return bad;
        long hi = std::strtol(value.substr(dash + 1).c_str(), &end, 10);
        if (*end || lo < 1 || hi > 65535 || lo > hi) return bad;
        return "";
      },
      "RANGE");
}

}  // namespace k1s::cmd
