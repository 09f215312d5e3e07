#!/usr/bin/env python3
"""Starts the real `k1s server --disable-agent` and the real simulated agent (`k1s agent --simulate 3`) and
drives the control loops with the real kubectl, the way users do: nodes, deployments (create, scale, image
update, history, undo), garbage collection, jobs, cronjobs, daemonsets, statefulsets, services and
endpoints, scheduling failures, taints, namespace lifecycle, service accounts and root CA configmaps, events.

Run: K1S_BIN=/path/to/k1s python3 tests/integration/controllers_test.py -v
"""
import importlib.util
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("k1s_apiserver_test", os.path.join(_here, "apiserver_test.py"))
_apiserver_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_apiserver_test)
Server = _apiserver_test.Server
K1S = _apiserver_test.K1S

WAIT = "180s"  # kubectl --timeout for waits (the binary may be an AddressSanitizer build)
POLL_TIMEOUT = 180.0
CRON_NS = "ct-cron"


class Agent:
    """`k1s agent --simulate N` joined to the server with its token."""

    def __init__(self, server, data_dir, nodes=3):
        with open(os.path.join(server.data_dir, "server", "token")) as f:
            token = f.read().strip()
        self.log_path = os.path.join(os.path.dirname(server.kubeconfig), "agent.log")
        self.log = open(self.log_path, "a")
        env = {k: v for k, v in os.environ.items() if not k.startswith("K1S_")}
        self.proc = subprocess.Popen(
            [K1S, "agent", "--config", "/dev/null", "--server", "https://127.0.0.1:%d" % server.port,
             "--token", token, "--simulate", str(nodes), "--data-dir", data_dir],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class ControllersTest(unittest.TestCase):
    server = None
    agent = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-ctl-")
        cls.dir = cls.tmp.name
        cls.kubeconfig = os.path.join(cls.dir, "kc.yaml")
        try:
            cls.server = Server(os.path.join(cls.dir, "data"), cls.kubeconfig)
            cls.agent = Agent(cls.server, os.path.join(cls.dir, "agent"))
            # Wait until the three simulated nodes are registered and Ready.
            deadline = time.time() + POLL_TIMEOUT
            while True:
                if cls.agent.proc.poll() is not None:
                    with open(cls.agent.log_path) as f:
                        raise RuntimeError("k1s agent exited: " + f.read())
                r = cls._kubectl_raw("get", "nodes", "-o", "json")
                if r.returncode == 0:
                    items = json.loads(r.stdout)["items"]
                    ready = [n for n in items if any(c["type"] == "Ready" and c["status"] == "True"
                                                     for c in n.get("status", {}).get("conditions", []))]
                    if len(ready) == 3:
                        cls.nodes = sorted(n["metadata"]["name"] for n in items)
                        break
                if time.time() > deadline:
                    with open(cls.agent.log_path) as f:
                        raise RuntimeError("simulated nodes not Ready: " + r.stdout + r.stderr + f.read())
                time.sleep(0.2)
            # The CronJob is created now and checked by the last test, so the wait for the next minute
            # boundary overlaps with the other tests instead of adding up to a minute on its own.
            cls._kubectl_raw("create", "namespace", CRON_NS)
            r = cls._kubectl_raw("create", "cronjob", "tick", "-n", CRON_NS, "--image=busybox",
                                 "--schedule=*/1 * * * *", "--", "true")
            if r.returncode != 0:
                raise RuntimeError("create cronjob: " + r.stdout + r.stderr)
            cls.cron_created = time.time()
        except BaseException:
            cls._stop_all()
            raise

    @classmethod
    def _stop_all(cls):
        if cls.agent:
            cls.agent.stop()
            cls.agent = None
        if cls.server:
            cls.server.stop()
            cls.server = None
        cls.tmp.cleanup()

    @classmethod
    def tearDownClass(cls):
        cls._stop_all()

    # ---- helpers --------------------------------------------------------------------------------------

    @classmethod
    def _kubectl_raw(cls, *args, input=None, timeout=240):
        env = dict(os.environ, KUBECONFIG=cls.kubeconfig, KUBECACHEDIR=os.path.join(cls.dir, "cache"))
        return subprocess.run(["/usr/bin/kubectl", *args], capture_output=True, text=True, input=input,
                              env=env, timeout=timeout)

    def kubectl(self, *args, input=None, ok=True):
        r = self._kubectl_raw(*args, input=input)
        if ok:
            self.assertEqual(r.returncode, 0, "kubectl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def k(self, *args, **kw):
        """kubectl in this test's namespace."""
        return self.kubectl("-n", self.ns, *args, **kw)

    def get_json(self, *args):
        return json.loads(self.k("get", *args, "-o", "json").stdout)

    def poll(self, fn, what, timeout=POLL_TIMEOUT, interval=0.25):
        """Calls fn() until it returns a truthy value; fails with `what` and the last value otherwise."""
        deadline = time.time() + timeout
        last = None
        while True:
            last = fn()
            if last:
                return last
            if time.time() > deadline:
                self.fail("timed out waiting for %s (last: %r)" % (what, last))
            time.sleep(interval)

    def pods(self, selector=None):
        args = ["pods"] + (["-l", selector] if selector else [])
        return [p for p in self.get_json(*args)["items"] if not p["metadata"].get("deletionTimestamp")]

    def all_pods(self, selector=None):
        args = ["pods"] + (["-l", selector] if selector else [])
        return self.get_json(*args)["items"]

    def running(self, pods):
        return [p for p in pods if p.get("status", {}).get("phase") == "Running"]

    def setUp(self):
        self.ns = "ct-" + re.sub(r"[^a-z0-9]+", "-", self._testMethodName.lower().replace("test_", ""))[:50]
        self.ns = self.ns.strip("-")
        self.kubectl("create", "namespace", self.ns)

    def tearDown(self):
        self._kubectl_raw("delete", "namespace", self.ns, "--wait=false", "--ignore-not-found")

    # ---- nodes ----------------------------------------------------------------------------------------

    def test_nodes_ready(self):
        self.kubectl("wait", "--for=condition=Ready", "node", "--all", "--timeout=" + WAIT)
        out = self.kubectl("get", "nodes").stdout
        lines = out.splitlines()
        self.assertRegex(lines[0], r"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION")
        rows = [l.split() for l in lines[1:]]
        self.assertEqual(len(rows), 3, out)
        for row in rows:
            self.assertRegex(row[0], r"-sim-[0-2]$", out)
            self.assertEqual(row[1], "Ready", out)
        self.assertEqual([n[-6:] for n in self.nodes], ["-sim-0", "-sim-1", "-sim-2"])

    # ---- deployments ----------------------------------------------------------------------------------

    def test_deployment_runs_three_pods(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("wait", "--for=jsonpath={.status.phase}=Running", "pod", "-l", "app=web", "--timeout=" + WAIT)
        pods = self.pods("app=web")
        self.assertEqual(len(pods), 3)
        self.assertEqual(len(self.running(pods)), 3)
        for p in pods:
            self.assertIn(p["spec"]["nodeName"], self.nodes)
            self.assertTrue(p["status"].get("podIP"), p["status"])
        out = self.k("get", "deployment", "web").stdout
        self.assertRegex(out, r"web\s+3/3\s+3\s+3\s")

    def test_deployment_scale_up_and_down(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("scale", "deployment/web", "--replicas=5")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.poll(lambda: len(self.running(self.pods("app=web"))) == 5, "5 running pods")
        self.assertEqual(self.get_json("deployment", "web")["status"].get("readyReplicas"), 5)
        self.k("scale", "deployment/web", "--replicas=1")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.poll(lambda: len(self.all_pods("app=web")) == 1, "scale down to 1 pod")
        st = self.get_json("deployment", "web")["status"]
        self.assertEqual((st.get("replicas"), st.get("readyReplicas")), (1, 1), st)

    def test_deployment_set_image_and_history(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("set", "image", "deployment/web", "nginx=nginx:1.27")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.poll(lambda: sorted(p["spec"]["containers"][0]["image"] for p in self.all_pods("app=web"))
                  == ["nginx:1.27"] * 3, "all pods on nginx:1.27")
        hist = self.k("rollout", "history", "deployment/web").stdout
        self.assertRegex(hist, r"(?m)^1\s")
        self.assertRegex(hist, r"(?m)^2\s")
        self.assertEqual(len([l for l in hist.splitlines() if re.match(r"^\d+\s", l)]), 2, hist)
        rs = self.get_json("replicasets", "-l", "app=web")["items"]
        self.assertEqual(len(rs), 2)
        revs = sorted(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] for r in rs)
        self.assertEqual(revs, ["1", "2"])

    def test_deployment_rollout_undo_reuses_old_replicaset(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        first = self.get_json("replicasets", "-l", "app=web")["items"][0]["metadata"]["name"]
        self.k("set", "image", "deployment/web", "nginx=nginx:1.27")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.assertIn("rolled back", self.k("rollout", "undo", "deployment/web").stdout)
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        d = self.get_json("deployment", "web")
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        self.poll(lambda: sorted(p["spec"]["containers"][0]["image"] for p in self.all_pods("app=web"))
                  == ["nginx"] * 3, "all pods back on nginx")
        hist = self.k("rollout", "history", "deployment/web").stdout
        revs = [l.split()[0] for l in hist.splitlines() if re.match(r"^\d+\s", l)]
        # upstream: the revision-1 ReplicaSet is scaled back up and renumbered 3, so history is 2, 3
        rs = {r["metadata"]["name"]: r for r in self.get_json("replicasets", "-l", "app=web")["items"]}
        self.assertEqual(len(rs), 2, sorted(rs))
        self.assertEqual(rs[first]["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        self.assertEqual(revs, ["2", "3"], hist)

    def test_deleting_deployment_garbage_collects_replicasets_and_pods(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        rs = self.get_json("replicasets", "-l", "app=web")["items"]
        self.assertEqual(len(rs), 1)
        owner = rs[0]["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"], owner.get("controller")), ("Deployment", "web", True))
        for p in self.pods("app=web"):
            self.assertEqual(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet")
        self.k("delete", "deployment", "web")  # default: background cascading deletion
        self.poll(lambda: not self.get_json("replicasets")["items"], "replica sets garbage collected")
        self.poll(lambda: not self.all_pods(), "pods garbage collected")

    # ---- jobs -----------------------------------------------------------------------------------------

    def test_job_completes(self):
        self.k("create", "job", "x", "--image=busybox", "--", "true")
        self.k("wait", "--for=condition=complete", "job/x", "--timeout=" + WAIT)
        job = self.get_json("job", "x")
        self.assertEqual(job["status"].get("succeeded"), 1, job["status"])
        self.assertIn("completionTime", job["status"])
        pods = self.all_pods("job-name=x")
        self.assertEqual(len(pods), 1)
        self.assertEqual(pods[0]["status"]["phase"], "Succeeded")
        self.assertRegex(self.k("get", "job", "x").stdout, r"x\s+Complete\s+1/1\s")

    def test_zz_cronjob_creates_job(self):
        # Created in setUpClass with schedule "*/1 * * * *"; a job is due at the first minute boundary
        # after creation, so at most ~60 s after setUpClass (most of which the other tests have used).
        def jobs():
            r = self._kubectl_raw("get", "jobs", "-n", CRON_NS, "-o", "json")
            return r.returncode == 0 and json.loads(r.stdout)["items"]
        remaining = max(10.0, 75.0 - (time.time() - self.cron_created))
        items = self.poll(jobs, "a Job from cronjob/tick", timeout=remaining + 30, interval=0.5)
        job = items[0]
        self.assertTrue(job["metadata"]["name"].startswith("tick-"), job["metadata"]["name"])
        owner = job["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"]), ("CronJob", "tick"))
        self.kubectl("wait", "-n", CRON_NS, "--for=condition=complete", "job/" + job["metadata"]["name"],
                     "--timeout=" + WAIT)
        cj = json.loads(self.kubectl("get", "cronjob", "tick", "-n", CRON_NS, "-o", "json").stdout)
        self.assertIn("lastScheduleTime", cj.get("status", {}), cj.get("status"))

    # ---- daemonsets / statefulsets --------------------------------------------------------------------

    def test_daemonset_one_pod_per_node(self):
        self.k("apply", "-f", "-", input="""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sleep", "infinity"]
""")
        self.k("rollout", "status", "daemonset/agent", "--timeout=" + WAIT)
        pods = self.poll(lambda: (lambda ps: len(self.running(ps)) == 3 and ps)(self.pods("app=agent")),
                         "3 running daemon pods")
        self.assertEqual(len(pods), 3)
        self.assertEqual(sorted(p["spec"]["nodeName"] for p in pods), self.nodes)
        st = self.get_json("daemonset", "agent")["status"]
        self.assertEqual((st.get("desiredNumberScheduled"), st.get("numberReady")), (3, 3), st)

    def test_statefulset_ordered_pods(self):
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector: {app: sts}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: {app: sts}
  template:
    metadata:
      labels: {app: sts}
    spec:
      containers:
      - name: nginx
        image: nginx
""")
        self.k("rollout", "status", "statefulset/web", "--timeout=" + WAIT)
        pods = {p["metadata"]["name"]: p for p in self.pods("app=sts")}
        self.assertEqual(sorted(pods), ["web-0", "web-1"])
        for p in pods.values():
            self.assertEqual(p["status"]["phase"], "Running")
        # OrderedReady: web-1 is created only once web-0 is Running and Ready.
        ready0 = [c for c in pods["web-0"]["status"]["conditions"] if c["type"] == "Ready"][0]
        self.assertLessEqual(ready0["lastTransitionTime"], pods["web-1"]["metadata"]["creationTimestamp"])
        creates = [e for e in self.get_json("events")["items"]
                   if e["reason"] == "SuccessfulCreate" and e["involvedObject"]["kind"] == "StatefulSet"]
        msgs = sorted(e["message"] for e in creates)
        self.assertEqual(msgs, ["create Pod web-0 in StatefulSet web successful",
                                "create Pod web-1 in StatefulSet web successful"])
        self.assertEqual(pods["web-0"]["spec"].get("hostname"), "web-0")
        self.assertEqual(pods["web-0"]["spec"].get("subdomain"), "web")

    # ---- services -------------------------------------------------------------------------------------

    def test_service_endpoints_and_endpointslice(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80")
        self.k("expose", "deployment", "web", "--port=80")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        pod_ips = self.poll(lambda: (lambda ips: len(ips) == 3 and sorted(ips))(
            [p["status"].get("podIP") for p in self.running(self.pods("app=web")) if p["status"].get("podIP")]),
            "3 pod IPs")

        def ep_ips():
            r = self.k("get", "endpoints", "web", "-o", "json", ok=False)
            if r.returncode != 0:
                return None
            subsets = json.loads(r.stdout).get("subsets") or []
            ips = sorted(a["ip"] for s in subsets for a in s.get("addresses", []))
            return ips == pod_ips and ips
        self.poll(ep_ips, "Endpoints web with the pod IPs %s" % pod_ips)
        ep = self.get_json("endpoints", "web")
        self.assertEqual(ep["subsets"][0]["ports"][0]["port"], 80)

        def slice_ips():
            items = self.get_json("endpointslices", "-l", "kubernetes.io/service-name=web")["items"]
            ips = sorted(a for s in items for e in (s.get("endpoints") or []) for a in e["addresses"]
                         if e.get("conditions", {}).get("ready"))
            return ips == pod_ips and items
        slices = self.poll(slice_ips, "EndpointSlice for web")
        self.assertEqual(slices[0]["addressType"], "IPv4")
        self.assertEqual(slices[0]["metadata"]["labels"].get("endpointslice.kubernetes.io/managed-by"),
                         "endpointslice-controller.k8s.io")
        out = self.k("get", "endpoints", "web").stdout
        self.assertIn(":80", out)

    # ---- scheduling -----------------------------------------------------------------------------------

    def test_unschedulable_pod_stays_pending_with_event(self):
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata:
  name: lost
spec:
  nodeSelector: {disk: nonexistent}
  containers:
  - name: c
    image: nginx
""")
        want = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
        out = self.poll(lambda: (lambda d: "FailedScheduling" in d and d)(self.k("describe", "pod", "lost").stdout),
                        "FailedScheduling event")
        self.assertIn(want, out)
        # upstream appends the preemption diagnosis
        self.assertIn("preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", out)
        pod = self.get_json("pod", "lost")
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertNotIn("nodeName", pod["spec"])
        cond = [c for c in pod["status"].get("conditions", []) if c["type"] == "PodScheduled"][0]
        self.assertEqual((cond["status"], cond.get("reason")), ("False", "Unschedulable"))

    def test_taint_keeps_pods_off_node(self):
        n0 = self.nodes[0]
        self.kubectl("taint", "node", n0, "k=v:NoSchedule")
        self.addCleanup(self._kubectl_raw, "taint", "node", n0, "k=v:NoSchedule-")
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        pods = self.pods("app=web")
        self.assertEqual(len(pods), 3)
        used = {p["spec"]["nodeName"] for p in pods}
        self.assertNotIn(n0, used)
        self.assertTrue(used <= set(self.nodes[1:]), used)
        # a pod tolerating the taint may land anywhere, including the tainted node
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata:
  name: tolerant
spec:
  nodeName: %s
  tolerations: [{key: k, operator: Equal, value: v, effect: NoSchedule}]
  containers: [{name: c, image: nginx}]
""" % n0)
        self.k("wait", "--for=condition=Ready", "pod/tolerant", "--timeout=" + WAIT)

    # ---- namespaces -----------------------------------------------------------------------------------

    def test_namespace_deletion_empties_it(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=2")
        self.k("create", "configmap", "cfg", "--from-literal=a=b")
        self.k("create", "job", "j", "--image=busybox", "--", "true")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.kubectl("delete", "namespace", self.ns, "--wait=false")
        self.kubectl("wait", "--for=delete", "namespace/" + self.ns, "--timeout=" + WAIT)
        r = self.kubectl("get", "namespace", self.ns, ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('namespaces "%s" not found' % self.ns, r.stderr)
        for kind in ("pods", "deployments", "replicasets", "configmaps", "jobs"):
            out = self.kubectl("get", kind, "-n", self.ns, "-o", "name").stdout
            self.assertEqual(out.strip(), "", kind)

    def test_new_namespace_gets_default_serviceaccount_and_root_ca(self):
        self.poll(lambda: self.k("get", "serviceaccount", "default", ok=False).returncode == 0,
                  "serviceaccount default")
        self.poll(lambda: self.k("get", "configmap", "kube-root-ca.crt", ok=False).returncode == 0,
                  "configmap kube-root-ca.crt")
        cm = self.get_json("configmap", "kube-root-ca.crt")
        self.assertIn("-----BEGIN CERTIFICATE-----", cm["data"]["ca.crt"])
        with open(os.path.join(self.server.data_dir, "server", "tls", "server-ca.crt")) as f:
            self.assertIn(cm["data"]["ca.crt"].strip().splitlines()[1], f.read())
        self.assertRegex(self.k("get", "sa").stdout, r"(?m)^default\s+0\s")

    # ---- events ---------------------------------------------------------------------------------------

    def test_events_show_scheduled_and_successful_create(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=2")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)

        def events():
            out = self.k("get", "events").stdout
            return "Scheduled" in out and "SuccessfulCreate" in out and "ScalingReplicaSet" in out and out
        out = self.poll(events, "Scheduled, SuccessfulCreate and ScalingReplicaSet events")
        self.assertRegex(out.splitlines()[0], r"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE")
        self.assertRegex(out, r"Normal\s+Scheduled\s+pod/web-\S+\s+Successfully assigned %s/web-\S+ to \S+-sim-\d"
                         % self.ns)
        self.assertRegex(out, r"Normal\s+SuccessfulCreate\s+replicaset/web-\S+\s+Created pod: web-")
        self.assertRegex(out, r"Normal\s+ScalingReplicaSet\s+deployment/web\s+Scaled up replica set web-\S+")

    def test_scaling_replicaset_events_say_from_and_to(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("scale", "deployment/web", "--replicas=1")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        rs = self.get_json("replicasets", "-l", "app=web")["items"][0]["metadata"]["name"]

        def messages():
            return sorted(e["message"] for e in self.get_json("events")["items"] if e["reason"] == "ScalingReplicaSet")
        msgs = self.poll(lambda: (lambda m: len(m) >= 2 and m)(messages()), "two ScalingReplicaSet events")
        self.assertEqual(msgs, ["Scaled down replica set %s from 3 to 1" % rs,
                                "Scaled up replica set %s from 0 to 3" % rs])


if __name__ == "__main__":
    unittest.main()
