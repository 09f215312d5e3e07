#!/usr/bin/env python3
"""Drives the real k1s binary (K1S_BIN) the way a user does: version, help, flags, env vars, the config
file and its precedence, `k1s kubectl`, and `k1s etcd-snapshot` errors."""
import os
import subprocess
import tempfile
import unittest

K1S = os.environ.get("K1S_BIN", "build/test/cmd/k1s")


def run(*args, env=None, check=False):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("K1S_")}
    full_env.update(env or {})
    return subprocess.run([K1S, *args], capture_output=True, text=True, env=full_env, timeout=60, check=check)


def config_of(out):
    return dict(line.split(": ", 1) for line in out.strip().splitlines() if ": " in line)


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="k1s-cli-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_version_names_version_and_commit(self):
        for args in (["--version"], ["version"]):
            r = run(*args)
            self.assertEqual(r.returncode, 0)
            self.assertRegex(r.stdout, r"^k1s version v\d+\.\d+\.\d+ \(\S+\)$")

    def test_help_lists_subcommands(self):
        r = run("help")
        self.assertEqual(r.returncode, 0)
        for sub in ("server", "agent", "kubectl", "etcd-snapshot", "token", "version"):
            self.assertIn(sub, r.stdout)

    def test_unknown_command_exits_2_with_a_hint(self):
        r = run("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown command "frobnicate"', r.stderr)
        self.assertIn("k1s help", r.stderr)

    def test_server_help_shows_k3s_flags(self):
        r = run("server", "--help")
        self.assertEqual(r.returncode, 0)
        for flag in ("--data-dir", "--https-listen-port", "--tls-san", "--service-cidr", "--disable-agent", "--token"):
            self.assertIn(flag, r.stdout)

    def test_bad_flag_values_are_clear_errors(self):
        cfg = self.write("empty.yaml", "{}\n")
        r = run("server", "-c", cfg, "--https-listen-port", "70000")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--https-listen-port", r.stderr)
        r = run("server", "-c", cfg, "--cluster-cidr", "10.42.0.0/99")
        self.assertEqual(r.returncode, 1)
        self.assertIn("expected a CIDR", r.stderr)

    def test_precedence_is_flag_then_env_then_file(self):
        cfg = self.write("c.yaml", "data-dir: /file\nhttps-listen-port: 7000\ncluster-domain: file.local\n"
                                   "tls-san: [a.example, 10.1.2.3]\ndisable-agent: true\n")
        r = run("server", "--print-config", "-c", cfg, "--data-dir", "/flag",
                env={"K1S_DATA_DIR": "/env", "K1S_HTTPS_LISTEN_PORT": "7001"})
        self.assertEqual(r.returncode, 0, r.stderr)
        c = config_of(r.stdout)
        self.assertEqual(c["data-dir"], "/flag")
        self.assertEqual(c["https-listen-port"], "7001")
        self.assertEqual(c["cluster-domain"], "file.local")
        self.assertEqual(c["tls-san"], "[a.example, 10.1.2.3]")
        self.assertEqual(c["disable-agent"], "true")
        self.assertEqual(c["service-cidr"], "10.43.0.0/16")

    def test_config_file_from_env(self):
        cfg = self.write("c.yaml", "cluster-domain: env-file.local\n")
        r = run("server", "--print-config", env={"K1S_CONFIG_FILE": cfg})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(config_of(r.stdout)["cluster-domain"], "env-file.local")

    def test_unknown_config_key_names_key_and_file(self):
        cfg = self.write("c.yaml", "data-dirr: /x\n")
        r = run("server", "-c", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn('unknown key "data-dirr"', r.stderr)
        self.assertIn(cfg, r.stderr)

    def test_bad_config_value_names_key_file_and_expectation(self):
        cfg = self.write("c.yaml", "https-listen-port: abc\n")
        r = run("server", "-c", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn('key "https-listen-port"', r.stderr)
        self.assertIn(cfg, r.stderr)
        self.assertIn("1 to 65535", r.stderr)

    def test_yaml_syntax_error_reports_file_and_line(self):
        cfg = self.write("c.yaml", "data-dir: /x\ntls-san: [a,\n")
        r = run("server", "-c", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn(cfg, r.stderr)
        self.assertIn("line", r.stderr)

    def test_missing_explicit_config_file_is_an_error(self):
        r = run("server", "-c", os.path.join(self.dir, "missing.yaml"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not exist", r.stderr)

    def test_server_on_a_busy_port_fails_clearly(self):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        cfg = self.write("empty.yaml", "{}\n")
        r = run("server", "-c", cfg, "--disable-agent", "--bind-address", "127.0.0.1", "--https-listen-port", str(port),
                "--data-dir", os.path.join(self.dir, "data"), "--write-kubeconfig", os.path.join(self.dir, "kc.yaml"))
        s.close()
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot listen on 127.0.0.1:%d" % port, r.stderr)

    def test_agent_requires_server_url(self):
        cfg = self.write("empty.yaml", "{}\n")
        r = run("agent", "-c", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--server", r.stderr)

    def test_kubectl_passes_through_with_default_kubeconfig(self):
        if not any(os.access(os.path.join(p, "kubectl"), os.X_OK) for p in os.environ["PATH"].split(":")):
            self.skipTest("kubectl not installed")
        r = run("kubectl", "version", "--client", "-o", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("clientVersion", r.stdout)
        # KUBECONFIG defaults to the admin kubeconfig but an explicit one wins.
        kc = os.path.join(self.dir, "kc.yaml")
        r = run("kubectl", "config", "view", "-o", "jsonpath={.kind}", env={"KUBECONFIG": kc})
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_etcd_snapshot_without_a_datastore_is_a_clear_error(self):
        r = run("etcd-snapshot", "save", "--data-dir", self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no datastore at " + self.dir, r.stderr)
        r = run("etcd-snapshot", "restore", os.path.join(self.dir, "nope.db"), "--data-dir", self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no snapshot at", r.stderr)
        r = run("etcd-snapshot", "ls", "--data-dir", self.dir)
        self.assertEqual(r.returncode, 0)
        self.assertIn("no snapshots", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
