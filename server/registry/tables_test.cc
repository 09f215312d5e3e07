#include "server/registry/tables.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace k1s::registry {
namespace {

namespace json = boost::json;

constexpr int64_t kNow = 1717243200;  // 2024-06-01T12:00:00Z

ResourceInfo Res(std::string group, std::string plural) {
  ResourceInfo r;
  r.group = std::move(group);
  r.plural = std::move(plural);
  return r;
}

// An RFC 3339 time s seconds before kNow.
std::string Ago(int64_t s) {
  time_t t = static_cast<time_t>(kNow - s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The row of an object given as JSON text, serialized ("[...]"): checks values and their JSON types.
std::string Row(const std::string& group, const std::string& plural, const std::string& text) {
  return json::serialize(TableCellsAt(Res(group, plural), json::parse(text).as_object(), kNow));
}

std::vector<std::string> ColumnNames(const std::string& group, const std::string& plural, int priority) {
  std::vector<std::string> out;
  for (const auto& c : TableColumns(Res(group, plural))) {
    if (c.as_object().at("priority").as_int64() == priority) out.emplace_back(c.as_object().at("name").as_string());
  }
  return out;
}

using Names = std::vector<std::string>;

// ---- time ----

TEST(Tables, HumanDurationRoundsLikeKubectl) {
  EXPECT_EQ(HumanDuration(-2), "<invalid>");
  EXPECT_EQ(HumanDuration(-1), "0s");
  EXPECT_EQ(HumanDuration(0), "0s");
  EXPECT_EQ(HumanDuration(119), "119s");
  EXPECT_EQ(HumanDuration(120), "2m");
  EXPECT_EQ(HumanDuration(150), "2m30s");
  EXPECT_EQ(HumanDuration(600), "10m");
  EXPECT_EQ(HumanDuration(3 * 3600 - 1), "179m");
  EXPECT_EQ(HumanDuration(3 * 3600), "3h");
  EXPECT_EQ(HumanDuration(3 * 3600 + 5 * 60), "3h5m");
  EXPECT_EQ(HumanDuration(8 * 3600 + 5 * 60), "8h");
  EXPECT_EQ(HumanDuration(47 * 3600), "47h");
  EXPECT_EQ(HumanDuration(48 * 3600), "2d");
  EXPECT_EQ(HumanDuration(50 * 3600), "2d2h");
  EXPECT_EQ(HumanDuration(8 * 86400 + 3600), "8d");
  EXPECT_EQ(HumanDuration(730 * 86400), "2y");
  EXPECT_EQ(HumanDuration(731 * 86400), "2y1d");
  EXPECT_EQ(HumanDuration(9 * 365 * 86400 + 86400), "9y");
}

TEST(Tables, ParseRfc3339AcceptsFractionsAndOffsets) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2000-03-01T00:00:00Z"), 951868800);
  EXPECT_EQ(ParseRfc3339("2024-06-01T12:00:00Z"), kNow);
  EXPECT_EQ(ParseRfc3339("2024-06-01T12:00:00.123456Z"), kNow);
  EXPECT_EQ(ParseRfc3339("2024-06-01T14:00:00+02:00"), kNow);
  EXPECT_EQ(ParseRfc3339("2024-06-01T07:30:00-04:30"), kNow);
}

TEST(Tables, ParseRfc3339RejectsWhatIsNotATimestamp) {
  for (const char* bad : {"", "2024-06-01", "2024-06-01T12:00:00", "2024-06-01T12:00:00Zjunk", "2024-13-01T12:00:00Z",
                          "2024-06-01T12:00:00.Z", "yesterday at noon, roughly", "2024-06-01T12:00:00+0200"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(Tables, HumanAgeOfGarbageIsUnknown) {
  EXPECT_EQ(HumanAge(""), "<unknown>");
  EXPECT_EQ(HumanAge("not a time"), "<unknown>");
  EXPECT_EQ(HumanAge("1970-01-02T00:00:00Z").back(), 'y');
}

// ---- pods ----

TEST(Tables, PodColumnsAreUpstreamsWithWideOnesAtPriorityOne) {
  EXPECT_EQ(ColumnNames("", "pods", 0), (Names{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(ColumnNames("", "pods", 1), (Names{"IP", "Node", "Nominated Node", "Readiness Gates"}));
  auto cols = TableColumns(Res("", "pods"));
  EXPECT_EQ(cols[0].as_object().at("format"), "name");
  EXPECT_EQ(cols[3].as_object().at("type"), "string");
}

TEST(Tables, RunningPodShowsReadyContainersAndWideCells) {
  std::string pod = R"({"metadata":{"name":"web","creationTimestamp":")" + Ago(3600) + R"("},
    "spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}],
            "readinessGates":[{"conditionType":"x/ok"},{"conditionType":"x/other"}]},
    "status":{"phase":"Running","podIP":"10.42.0.5","podIPs":[{"ip":"10.42.0.5"},{"ip":"fd00::5"}],
      "nominatedNodeName":"n2",
      "conditions":[{"type":"x/ok","status":"True"},{"type":"x/other","status":"False"}],
      "containerStatuses":[
        {"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},
        {"name":"b","ready":false,"restartCount":0,"state":{"running":{}}}]}})";
  EXPECT_EQ(Row("", "pods", pod), R"(["web","1/2","Running","0","60m","10.42.0.5","n1","n2","1/2"])");
}

TEST(Tables, PendingPodWithoutStatusShowsNoneInWideCells) {
  EXPECT_EQ(Row("", "pods", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]},
                               "status":{"phase":"Pending"}})"),
            R"(["p","0/1","Pending","0","<unknown>","<none>","<none>","<none>","<none>"])");
}

TEST(Tables, PodStatusShowsInitProgress) {
  std::string pod = R"({"metadata":{"name":"p"},
    "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
    "status":{"phase":"Pending",
      "initContainerStatuses":[
        {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
        {"name":"i2","state":{"running":{}}}],
      "containerStatuses":[{"name":"c","state":{"waiting":{"reason":"PodInitializing"}}}]}})";
  EXPECT_EQ(json::parse(Row("", "pods", pod)).as_array()[2], "Init:1/2");
  std::string first = R"({"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{}]},
    "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}}]}})";
  EXPECT_EQ(json::parse(Row("", "pods", first)).as_array()[2], "Init:0/1");
}

TEST(Tables, PodStatusShowsInitContainerWaitingReason) {
  std::string pod = R"({"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"c"}]},
    "status":{"phase":"Pending","initContainerStatuses":[
      {"name":"i","restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
       "lastState":{"terminated":{"exitCode":1,"finishedAt":")" + Ago(90) + R"("}}}],
      "containerStatuses":[{"name":"c","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})";
  auto row = json::parse(Row("", "pods", pod)).as_array();
  EXPECT_EQ(row[2], "Init:CrashLoopBackOff");
  // While initializing, restarts count the init containers'.
  EXPECT_EQ(row[3], "4 (90s ago)");
}

TEST(Tables, PodStatusShowsFailedInitContainerReasonSignalOrExitCode) {
  auto status_of = [](const std::string& terminated) {
    std::string pod = R"({"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i"}],"containers":[{}]},
      "status":{"phase":"Pending","initContainerStatuses":[{"name":"i","state":{"terminated":)" + terminated + "}}]}}";
    return std::string(json::parse(Row("", "pods", pod)).as_array()[2].as_string());
  };
  EXPECT_EQ(status_of(R"({"exitCode":2,"reason":"Error"})"), "Init:Error");
  EXPECT_EQ(status_of(R"({"exitCode":137,"signal":9})"), "Init:Signal:9");
  EXPECT_EQ(status_of(R"({"exitCode":3})"), "Init:ExitCode:3");
}

TEST(Tables, PodStatusShowsContainerWaitingAndTerminatedReasons) {
  auto status_of = [](const std::string& state, const std::string& phase = "Running") {
    std::string pod = R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
      "status":{"phase":")" + phase + R"(","containerStatuses":[{"name":"c","state":)" + state + "}]}}";
    return std::string(json::parse(Row("", "pods", pod)).as_array()[2].as_string());
  };
  EXPECT_EQ(status_of(R"({"waiting":{"reason":"ImagePullBackOff"}})", "Pending"), "ImagePullBackOff");
  EXPECT_EQ(status_of(R"({"waiting":{"reason":"CrashLoopBackOff"}})"), "CrashLoopBackOff");
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":0,"reason":"Completed"}})", "Succeeded"), "Completed");
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":1,"reason":"OOMKilled"}})", "Failed"), "OOMKilled");
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":143,"signal":15}})", "Failed"), "Signal:15");
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":7}})", "Failed"), "ExitCode:7");
  EXPECT_EQ(status_of(R"({"waiting":{}})", "Pending"), "Pending");
}

TEST(Tables, PodWithACompletedAndARunningContainerIsRunningOnlyWhenReady) {
  auto pod = [](const char* ready_status) {
    return std::string(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":")") +
           ready_status + R"("}],
      "containerStatuses":[
        {"name":"a","ready":true,"state":{"running":{}}},
        {"name":"b","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})";
  };
  EXPECT_EQ(json::parse(Row("", "pods", pod("True"))).as_array()[2], "Running");
  EXPECT_EQ(json::parse(Row("", "pods", pod("False"))).as_array()[2], "NotReady");
}

TEST(Tables, PodBeingDeletedShowsTerminatingUnlessFinished) {
  std::string running = R"({"metadata":{"name":"p","deletionTimestamp":")" + Ago(5) + R"("},
    "spec":{"containers":[{}]},"status":{"phase":"Running"}})";
  EXPECT_EQ(json::parse(Row("", "pods", running)).as_array()[2], "Terminating");
  std::string done = R"({"metadata":{"name":"p","deletionTimestamp":")" + Ago(5) + R"("},
    "spec":{"containers":[{}]},"status":{"phase":"Succeeded","containerStatuses":[
      {"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})";
  EXPECT_EQ(json::parse(Row("", "pods", done)).as_array()[2], "Completed");
}

TEST(Tables, PodOnALostNodeShowsNodeLostAndUnknownOnceDeleted) {
  std::string lost = R"({"metadata":{"name":"p"},"spec":{"containers":[{}]},
    "status":{"phase":"Running","reason":"NodeLost"}})";
  EXPECT_EQ(json::parse(Row("", "pods", lost)).as_array()[2], "NodeLost");
  std::string deleted = R"({"metadata":{"name":"p","deletionTimestamp":")" + Ago(5) + R"("},
    "spec":{"containers":[{}]},"status":{"phase":"Running","reason":"NodeLost"}})";
  EXPECT_EQ(json::parse(Row("", "pods", deleted)).as_array()[2], "Unknown");
}

TEST(Tables, PodWaitingForSchedulingGatesShowsSchedulingGated) {
  std::string pod = R"({"metadata":{"name":"p"},"spec":{"containers":[{}]},"status":{"phase":"Pending",
    "conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})";
  EXPECT_EQ(json::parse(Row("", "pods", pod)).as_array()[2], "SchedulingGated");
}

TEST(Tables, PodRestartsShowWhenTheLastRestartWas) {
  std::string pod = R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
    "status":{"phase":"Running","containerStatuses":[
      {"name":"a","ready":true,"restartCount":3,"state":{"running":{}},
       "lastState":{"terminated":{"exitCode":1,"finishedAt":")" + Ago(20 * 60) + R"("}}},
      {"name":"b","ready":true,"restartCount":2,"state":{"running":{}},
       "lastState":{"terminated":{"exitCode":1,"finishedAt":")" + Ago(5 * 60) + R"("}}}]}})";
  EXPECT_EQ(json::parse(Row("", "pods", pod)).as_array()[3], "5 (5m ago)");
  std::string no_time = R"({"metadata":{"name":"p"},"spec":{"containers":[{}]},
    "status":{"containerStatuses":[{"restartCount":2,"state":{"running":{}}}]}})";
  EXPECT_EQ(json::parse(Row("", "pods", no_time)).as_array()[3], "2");
}

TEST(Tables, PodSidecarCountsTowardReadyAndRestarts) {
  std::string pod = R"({"metadata":{"name":"p"},
    "spec":{"initContainers":[{"name":"setup"},{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]},
    "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
      "initContainerStatuses":[
        {"name":"setup","restartCount":1,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
        {"name":"proxy","restartCount":2,"started":true,"ready":true,"state":{"running":{}}}],
      "containerStatuses":[{"name":"app","ready":true,"restartCount":1,"state":{"running":{}}}]}})";
  auto row = json::parse(Row("", "pods", pod)).as_array();
  EXPECT_EQ(row[1], "2/2");
  EXPECT_EQ(row[2], "Running");
  EXPECT_EQ(row[3], "3");  // the sidecar's and the app's, not the finished init container's
}

// ---- nodes ----

TEST(Tables, NodeColumnsAreUpstreams) {
  EXPECT_EQ(ColumnNames("", "nodes", 0), (Names{"Name", "Status", "Roles", "Age", "Version"}));
  EXPECT_EQ(ColumnNames("", "nodes", 1),
            (Names{"Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"}));
}

TEST(Tables, NodeRolesComeFromNodeRoleLabelsSorted) {
  std::string node = R"({"metadata":{"name":"n1","creationTimestamp":")" + Ago(3 * 86400) + R"(",
    "labels":{"node-role.kubernetes.io/master":"","node-role.kubernetes.io/control-plane":"true",
              "node-role.kubernetes.io/":"","kubernetes.io/role":"etcd","kubernetes.io/hostname":"n1"}},
    "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
      "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.1.10"},
                   {"type":"ExternalIP","address":"203.0.113.7"}],
      "nodeInfo":{"kubeletVersion":"v1.32.0+k1s1","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0",
                  "containerRuntimeVersion":"containerd://1.7.20"}}})";
  EXPECT_EQ(Row("", "nodes", node),
            R"(["n1","Ready","control-plane,etcd,master","3d","v1.32.0+k1s1","192.168.1.10","203.0.113.7",)"
            R"("Debian GNU/Linux 12","6.1.0","containerd://1.7.20"])");
}

TEST(Tables, NodeStatusShowsNotReadyUnknownAndSchedulingDisabled) {
  EXPECT_EQ(Row("", "nodes", R"({"metadata":{"name":"n"},"spec":{"unschedulable":true},
                                "status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})"),
            R"(["n","NotReady,SchedulingDisabled","<none>","<unknown>","","<none>","<none>",)"
            R"("<unknown>","<unknown>","<unknown>"])");
  EXPECT_EQ(json::parse(Row("", "nodes", R"({"metadata":{"name":"n"},"spec":{"unschedulable":true}})")).as_array()[1],
            "Unknown,SchedulingDisabled");
}

// ---- workloads ----

TEST(Tables, DeploymentShowsReadyOfDesiredAndItsTemplate) {
  EXPECT_EQ(ColumnNames("apps", "deployments", 0), (Names{"Name", "Ready", "Up-to-date", "Available", "Age"}));
  EXPECT_EQ(ColumnNames("apps", "deployments", 1), (Names{"Containers", "Images", "Selector"}));
  std::string d = R"({"metadata":{"name":"web","creationTimestamp":")" + Ago(300) + R"("},
    "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},
              "matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},{"key":"gone","operator":"DoesNotExist"}]},
            "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},
    "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})";
  EXPECT_EQ(Row("apps", "deployments", d),
            R"j(["web","2/3",3,2,"5m","nginx,log","nginx:1.27,busybox","app=web,!gone,tier in (be,fe)"])j");
}

TEST(Tables, DeploymentWithABadSelectorSaysInvalid) {
  std::string d = R"({"metadata":{"name":"d"},"spec":{"selector":{"matchExpressions":[{"key":"a","operator":"Near"}]}}})";
  EXPECT_EQ(Row("apps", "deployments", d), R"(["d","0/1",0,0,"<unknown>","","","<invalid>"])");
}

TEST(Tables, ReplicaSetCountsAreIntegers) {
  std::string rs = R"({"metadata":{"name":"web-1"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},
    "template":{"spec":{"containers":[{"name":"c","image":"i"}]}}},"status":{"replicas":2,"readyReplicas":1}})";
  EXPECT_EQ(Row("apps", "replicasets", rs), R"(["web-1",2,2,1,"<unknown>","c","i","a=b"])");
}

TEST(Tables, StatefulSetAndDaemonSetRows) {
  EXPECT_EQ(ColumnNames("apps", "statefulsets", 0), (Names{"Name", "Ready", "Age"}));
  EXPECT_EQ(Row("apps", "statefulsets", R"({"metadata":{"name":"db"},"spec":{"replicas":3},"status":{"readyReplicas":3}})"),
            R"(["db","3/3","<unknown>","",""])");
  EXPECT_EQ(ColumnNames("apps", "daemonsets", 0),
            (Names{"Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age"}));
  std::string ds = R"({"metadata":{"name":"agent"},"spec":{"selector":{"matchLabels":{"app":"agent"}},
    "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux","disk":"ssd"},"containers":[{"name":"a","image":"x"}]}}},
    "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,"numberAvailable":2}})";
  EXPECT_EQ(Row("apps", "daemonsets", ds),
            R"(["agent",3,3,2,3,2,"disk=ssd,kubernetes.io/os=linux","<unknown>","a","x","app=agent"])");
}

TEST(Tables, ControllerRevisionNamesItsControllerWithGroup) {
  std::string cr = R"({"metadata":{"name":"agent-5d8f","ownerReferences":[
      {"apiVersion":"v1","kind":"Pod","name":"x"},
      {"apiVersion":"apps/v1","kind":"DaemonSet","name":"agent","controller":true}]},"revision":4})";
  EXPECT_EQ(Row("apps", "controllerrevisions", cr), R"(["agent-5d8f","daemonset.apps/agent",4,"<unknown>"])");
  EXPECT_EQ(Row("apps", "controllerrevisions", R"({"metadata":{"name":"r"}})"), R"(["r","<none>",0,"<unknown>"])");
}

TEST(Tables, JobShowsStatusCompletionsAndDuration) {
  EXPECT_EQ(ColumnNames("batch", "jobs", 0), (Names{"Name", "Status", "Completions", "Duration", "Age"}));
  std::string done = R"({"metadata":{"name":"pi","creationTimestamp":")" + Ago(600) + R"("},
    "spec":{"completions":1,"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}},
            "selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u"}}},
    "status":{"succeeded":1,"startTime":")" + Ago(600) + R"(","completionTime":")" + Ago(600 - 47) + R"(",
      "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}})";
  EXPECT_EQ(Row("batch", "jobs", done),
            R"(["pi","Complete","1/1","47s","10m","pi","perl","batch.kubernetes.io/controller-uid=u"])");

  auto job = [](const std::string& spec, const std::string& status, const std::string& meta = "") {
    return json::parse(Row("batch", "jobs", R"({"metadata":{"name":"j")" + meta + R"(},"spec":)" + spec +
                                                R"(,"status":)" + status + "}"))
        .as_array();
  };
  auto running = job(R"({"parallelism":3})", R"({"succeeded":1,"startTime":")" + Ago(130) + R"("})");
  EXPECT_EQ(running[1], "Running");
  EXPECT_EQ(running[2], "1/1 of 3");
  EXPECT_EQ(running[3], "2m10s");
  EXPECT_EQ(job("{}", "{}")[2], "0/1");
  EXPECT_EQ(job("{}", "{}")[3], "");
  EXPECT_EQ(job("{}", R"({"conditions":[{"type":"Failed","status":"True"}]})")[1], "Failed");
  EXPECT_EQ(job("{}", R"({"conditions":[{"type":"Suspended","status":"True"}]})")[1], "Suspended");
  EXPECT_EQ(job("{}", R"({"conditions":[{"type":"FailureTarget","status":"True"}]})")[1], "FailureTarget");
  EXPECT_EQ(job("{}", R"({"conditions":[{"type":"Complete","status":"False"}]})")[1], "Running");
  EXPECT_EQ(job("{}", R"({"conditions":[{"type":"Suspended","status":"True"}]})",
                R"(,"deletionTimestamp":"2024-06-01T11:00:00Z")")[1],
            "Terminating");
}

TEST(Tables, CronJobShowsScheduleSuspendActiveAndLastSchedule) {
  EXPECT_EQ(ColumnNames("batch", "cronjobs", 0),
            (Names{"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"}));
  std::string cj = R"({"metadata":{"name":"tick"},"spec":{"schedule":"*/5 * * * *","suspend":false,
    "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"t","image":"busybox"}]}}}}},
    "status":{"active":[{"name":"tick-1"}],"lastScheduleTime":")" + Ago(65) + R"("}})";
  EXPECT_EQ(Row("batch", "cronjobs", cj),
            R"(["tick","*/5 * * * *","<none>","False",1,"65s","<unknown>","t","busybox","<none>"])");
  EXPECT_EQ(Row("batch", "cronjobs", R"({"metadata":{"name":"c"},"spec":{"timeZone":"Etc/UTC","suspend":true}})"),
            R"(["c","","Etc/UTC","True",0,"<none>","<unknown>","","","<none>"])");
}

TEST(Tables, HorizontalPodAutoscalerShowsTargets) {
  EXPECT_EQ(ColumnNames("autoscaling", "horizontalpodautoscalers", 0),
            (Names{"Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"}));
  std::string hpa = R"({"metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},
    "minReplicas":2,"maxReplicas":10,"metrics":[
      {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}},
      {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"500Mi"}}},
      {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"1k"}}}]},
    "status":{"currentReplicas":3,"currentMetrics":[
      {"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":41}}}]}})";
  EXPECT_EQ(Row("autoscaling", "horizontalpodautoscalers", hpa),
            R"(["web","Deployment/web","cpu: 41%/80%, memory: <unknown>/500Mi + 1 more...","2",10,3,"<unknown>"])");
  EXPECT_EQ(Row("autoscaling", "horizontalpodautoscalers", R"({"metadata":{"name":"h"}})"),
            R"(["h","/","<none>","<unset>",0,0,"<unknown>"])");
}

TEST(Tables, ScaleSubresourceShowsDesiredAndAvailable) {
  std::vector<std::string> names;
  for (const auto& c : ScaleTableColumns()) names.emplace_back(c.as_object().at("name").as_string());
  EXPECT_EQ(names, (Names{"Name", "Desired", "Available"}));
  auto scale = json::parse(R"({"kind":"Scale","metadata":{"name":"web"},"spec":{"replicas":3},
      "status":{"replicas":2,"selector":"app=web"}})").as_object();
  EXPECT_EQ(json::serialize(ScaleTableCells(scale)), R"(["web",3,2])");
}

TEST(Tables, AdmissionRegistrationKindsCountTheirRules) {
  EXPECT_EQ(ColumnNames("admissionregistration.k8s.io", "validatingwebhookconfigurations", 0),
            (Names{"Name", "Webhooks", "Age"}));
  EXPECT_EQ(Row("admissionregistration.k8s.io", "mutatingwebhookconfigurations",
                R"({"metadata":{"name":"m"},"webhooks":[{"name":"a"},{"name":"b"}]})"),
            R"(["m",2,"<unknown>"])");
  EXPECT_EQ(Row("admissionregistration.k8s.io", "validatingadmissionpolicies",
                R"({"metadata":{"name":"p"},"spec":{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},
                    "validations":[{"expression":"true"}]}})"),
            R"(["p",1,"v1/ConfigMap","<unknown>"])");
  EXPECT_EQ(Row("admissionregistration.k8s.io", "validatingadmissionpolicybindings",
                R"({"metadata":{"name":"b"},"spec":{"policyName":"p","paramRef":{"name":"cfg"}}})"),
            R"(["b","p","*/cfg","<unknown>"])");
}

TEST(Tables, ApiServiceShowsLocalOrItsServiceAndAvailability) {
  EXPECT_EQ(Row("apiregistration.k8s.io", "apiservices",
                R"({"metadata":{"name":"v1.apps"},"spec":{"group":"apps"},
                    "status":{"conditions":[{"type":"Available","status":"True","reason":"Local"}]}})"),
            R"(["v1.apps","Local","True","<unknown>"])");
  EXPECT_EQ(Row("apiregistration.k8s.io", "apiservices",
                R"({"metadata":{"name":"v1beta1.metrics.k8s.io"},"spec":{"service":{"namespace":"kube-system","name":"ms"}},
                    "status":{"conditions":[{"type":"Available","status":"False","reason":"MissingEndpoints"}]}})"),
            R"x(["v1beta1.metrics.k8s.io","kube-system/ms","False (MissingEndpoints)","<unknown>"])x");
}

TEST(Tables, FlowControlAndRuntimeClassRows) {
  EXPECT_EQ(Row("flowcontrol.apiserver.k8s.io", "flowschemas",
                R"({"metadata":{"name":"fs"},"spec":{"priorityLevelConfiguration":{"name":"pl"},"matchingPrecedence":500}})"),
            R"(["fs","pl",500,"<none>","<unknown>","?"])");
  EXPECT_EQ(Row("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations",
                R"({"metadata":{"name":"exempt"},"spec":{"type":"Exempt"}})"),
            R"(["exempt","Exempt","<none>","<none>","<none>","<none>","<unknown>"])");
  EXPECT_EQ(Row("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations",
                R"({"metadata":{"name":"pl"},"spec":{"type":"Limited","limited":{"nominalConcurrencyShares":30,
                    "limitResponse":{"type":"Queue","queuing":{"queues":64,"handSize":8,"queueLengthLimit":50}}}}})"),
            R"(["pl","Limited",30,64,8,50,"<unknown>"])");
  EXPECT_EQ(Row("node.k8s.io", "runtimeclasses", R"({"metadata":{"name":"gvisor"},"handler":"runsc"})"),
            R"(["gvisor","runsc","<unknown>"])");
}

// ---- core objects ----

TEST(Tables, ServiceShowsExternalAddressesByType) {
  EXPECT_EQ(ColumnNames("", "services", 0), (Names{"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"}));
  EXPECT_EQ(ColumnNames("", "services", 1), (Names{"Selector"}));
  std::string lb = R"({"metadata":{"name":"web"},"spec":{"type":"LoadBalancer","clusterIP":"10.43.0.9",
    "clusterIPs":["10.43.0.9"],"selector":{"app":"web"},
    "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}})";
  EXPECT_EQ(Row("", "services", lb),
            R"(["web","LoadBalancer","10.43.0.9","<pending>","80:30080/TCP,53/UDP","<unknown>","app=web"])");
  std::string lb_ready = R"({"metadata":{"name":"web"},"spec":{"type":"LoadBalancer","externalIPs":["1.2.3.4"]},
    "status":{"loadBalancer":{"ingress":[{"ip":"5.6.7.8"},{"hostname":"lb.example"}]}}})";
  EXPECT_EQ(json::parse(Row("", "services", lb_ready)).as_array()[3], "5.6.7.8,lb.example,1.2.3.4");
  std::string ext = R"({"metadata":{"name":"db"},"spec":{"type":"ExternalName","externalName":"db.example.com"}})";
  EXPECT_EQ(Row("", "services", ext), R"(["db","ExternalName","<none>","db.example.com","<none>","<unknown>","<none>"])");
}

TEST(Tables, EndpointsListTheFirstThreeAddresses) {
  std::string ep = R"({"metadata":{"name":"web"},"subsets":[
    {"addresses":[{"ip":"10.42.0.1"},{"ip":"10.42.0.2"}],"ports":[{"port":8080},{"port":9090}]},
    {"addresses":[{"ip":"fd00::1"}]}]})";
  EXPECT_EQ(Row("", "endpoints", ep),
            R"(["web","10.42.0.1:8080,10.42.0.2:8080,10.42.0.1:9090 + 2 more...","<unknown>"])");
  EXPECT_EQ(Row("", "endpoints", R"({"metadata":{"name":"v6"},"subsets":[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":53}]}]})"),
            R"(["v6","[fd00::1]:53","<unknown>"])");
  EXPECT_EQ(Row("", "endpoints", R"({"metadata":{"name":"none"}})"), R"(["none","<none>","<unknown>"])");
}

TEST(Tables, EndpointSliceListsPortsAndAddresses) {
  EXPECT_EQ(ColumnNames("discovery.k8s.io", "endpointslices", 0),
            (Names{"Name", "AddressType", "Ports", "Endpoints", "Age"}));
  std::string es = R"({"metadata":{"name":"web-abc"},"addressType":"IPv4",
    "ports":[{"port":80},{"name":"metrics"},{}],
    "endpoints":[{"addresses":["10.42.0.1","10.42.0.2"]},{"addresses":["10.42.0.3","10.42.0.4"]}]})";
  EXPECT_EQ(Row("discovery.k8s.io", "endpointslices", es),
            R"(["web-abc","IPv4","80,metrics,*","10.42.0.1,10.42.0.2,10.42.0.3 + 1 more...","<unknown>"])");
  EXPECT_EQ(Row("discovery.k8s.io", "endpointslices", R"({"metadata":{"name":"e"}})"),
            R"(["e","","<unset>","<unset>","<unknown>"])");
}

TEST(Tables, CoreEventShowsLastSeenTypeReasonObjectMessage) {
  EXPECT_EQ(ColumnNames("", "events", 0), (Names{"Last Seen", "Type", "Reason", "Object", "Message"}));
  EXPECT_EQ(ColumnNames("", "events", 1), (Names{"Subobject", "Source", "First Seen", "Count", "Name"}));
  std::string ev = R"({"metadata":{"name":"web.17a"},"type":"Normal","reason":"Pulled",
    "involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{nginx}"},
    "message":"  Successfully pulled image \"nginx\"\n","source":{"component":"kubelet","host":"n1"},
    "firstTimestamp":")" + Ago(600) + R"(","lastTimestamp":")" + Ago(30) + R"(","count":4})";
  EXPECT_EQ(Row("", "events", ev),
            R"(["30s","Normal","Pulled","pod/web","spec.containers{nginx}","kubelet, n1",)"
            R"("Successfully pulled image \"nginx\"","10m",4,"web.17a"])");
}

TEST(Tables, EventWithoutTimestampsUsesEventTimeAndSeries) {
  std::string ev = R"({"metadata":{"name":"e"},"type":"Warning","reason":"BackOff",
    "involvedObject":{"kind":"Node"},"eventTime":")" + Ago(120) + R"(.000000Z",
    "reportingComponent":"k1s-scheduler","series":{"count":7,"lastObservedTime":")" + Ago(10) + R"(.500000Z"}})";
  // Ago() ends in Z; strip it to append micro-seconds.
  std::string fixed;
  for (size_t i = 0; i < ev.size(); ++i) {
    if (ev[i] == 'Z' && i + 1 < ev.size() && ev[i + 1] == '.') continue;
    fixed += ev[i];
  }
  EXPECT_EQ(Row("", "events", fixed), R"(["10s","Warning","BackOff","node","","k1s-scheduler","","2m",7,"e"])");
  std::string singleton = R"({"metadata":{"name":"s"},"involvedObject":{"kind":"Pod","name":"p"}})";
  EXPECT_EQ(Row("", "events", singleton), R"(["<unknown>","","","pod/p","","","","<unknown>",1,"s"])");
}

TEST(Tables, EventsApiEventReadsItsOwnFieldNames) {
  EXPECT_EQ(ColumnNames("events.k8s.io", "events", 0), (Names{"Last Seen", "Type", "Reason", "Object", "Message"}));
  std::string ev = R"({"metadata":{"name":"x"},"type":"Normal","reason":"Scheduled","note":"assigned to n1",
    "regarding":{"kind":"Pod","name":"web"},"reportingController":"default-scheduler","reportingInstance":"k1s",
    "deprecatedFirstTimestamp":")" + Ago(90) + R"(","deprecatedLastTimestamp":")" + Ago(60) + R"(","deprecatedCount":2})";
  EXPECT_EQ(Row("events.k8s.io", "events", ev),
            R"(["60s","Normal","Scheduled","pod/web","","default-scheduler, k1s","assigned to n1","90s",2,"x"])");
}

TEST(Tables, SimpleCoreKindsShowTheirCounts) {
  EXPECT_EQ(Row("", "namespaces", R"({"metadata":{"name":"dev"},"status":{"phase":"Terminating"}})"),
            R"(["dev","Terminating","<unknown>"])");
  EXPECT_EQ(Row("", "namespaces", R"({"metadata":{"name":"dev"}})"), R"(["dev","Active","<unknown>"])");
  EXPECT_EQ(Row("", "configmaps", R"({"metadata":{"name":"c"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})"),
            R"(["c",3,"<unknown>"])");
  EXPECT_EQ(Row("", "secrets", R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}})"),
            R"(["s","kubernetes.io/tls",2,"<unknown>"])");
  EXPECT_EQ(Row("", "secrets", R"({"metadata":{"name":"s"}})"), R"(["s","Opaque",0,"<unknown>"])");
  EXPECT_EQ(Row("", "serviceaccounts", R"({"metadata":{"name":"default"},"secrets":[{"name":"t"}]})"),
            R"(["default",1,"<unknown>"])");
}

TEST(Tables, PersistentVolumeAndClaimRows) {
  EXPECT_EQ(ColumnNames("", "persistentvolumes", 0),
            (Names{"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
                   "VolumeAttributesClass", "Reason", "Age"}));
  std::string pv = R"({"metadata":{"name":"pv1","annotations":{"volume.beta.kubernetes.io/storage-class":"slow"}},
    "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],
      "persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"default","name":"data"},
      "storageClassName":"fast","volumeMode":"Filesystem"},"status":{"phase":"Bound"}})";
  EXPECT_EQ(Row("", "persistentvolumes", pv),
            R"(["pv1","10Gi","RWO,RWX","Retain","Bound","default/data","slow","<unset>","","<unknown>","Filesystem"])");
  std::string bound = R"({"metadata":{"name":"data"},"spec":{"volumeName":"pv1","storageClassName":"local-path",
    "resources":{"requests":{"storage":"1Gi"}}},
    "status":{"phase":"Bound","accessModes":["ReadWriteOncePod"],"capacity":{"storage":"10Gi"}}})";
  EXPECT_EQ(Row("", "persistentvolumeclaims", bound),
            R"(["data","Bound","pv1","10Gi","RWOP","local-path","<unset>","<unknown>","<unset>"])");
  std::string pending = R"({"metadata":{"name":"data","deletionTimestamp":"2024-06-01T11:00:00Z"},
    "spec":{"resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Pending"}})";
  EXPECT_EQ(Row("", "persistentvolumeclaims", pending),
            R"(["data","Terminating","","","","","<unset>","<unknown>","<unset>"])");
}

TEST(Tables, ResourceQuotaSplitsRequestsFromLimits) {
  EXPECT_EQ(ColumnNames("", "resourcequotas", 0), (Names{"Name", "Age", "Request", "Limit"}));
  std::string q = R"({"metadata":{"name":"q"},"status":{
    "hard":{"pods":"10","requests.cpu":"2","limits.memory":"2Gi","limits.cpu":"4"},
    "used":{"pods":"3","requests.cpu":"500m","limits.cpu":"1"}}})";
  EXPECT_EQ(Row("", "resourcequotas", q),
            R"(["q","<unknown>","pods: 3/10, requests.cpu: 500m/2","limits.cpu: 1/4, limits.memory: 0/2Gi"])");
}

TEST(Tables, KindsWithoutAnUpstreamPrinterShowCreatedAt) {
  for (const auto& [group, plural] :
       std::vector<std::pair<std::string, std::string>>{{"rbac.authorization.k8s.io", "roles"},
                                                        {"rbac.authorization.k8s.io", "clusterroles"},
                                                        {"", "limitranges"},
                                                        {"apiextensions.k8s.io", "customresourcedefinitions"}}) {
    EXPECT_EQ(ColumnNames(group, plural, 0), (Names{"Name", "Created At"})) << plural;
    EXPECT_EQ(TableColumns(Res(group, plural))[1].as_object().at("type"), "date");
    EXPECT_EQ(Row(group, plural, R"({"metadata":{"name":"x","creationTimestamp":"2024-06-01T14:00:00+02:00"}})"),
              R"(["x","2024-06-01T12:00:00Z"])");
    EXPECT_EQ(Row(group, plural, R"({"metadata":{"name":"x"}})"), R"(["x","0001-01-01T00:00:00Z"])");
  }
}

TEST(Tables, RoleBindingsListSubjectsInWideColumns) {
  EXPECT_EQ(ColumnNames("rbac.authorization.k8s.io", "rolebindings", 0), (Names{"Name", "Role", "Age"}));
  EXPECT_EQ(ColumnNames("rbac.authorization.k8s.io", "clusterrolebindings", 1),
            (Names{"Users", "Groups", "ServiceAccounts"}));
  std::string rb = R"({"metadata":{"name":"admins"},"roleRef":{"kind":"ClusterRole","name":"admin"},"subjects":[
    {"kind":"User","name":"alice"},{"kind":"User","name":"bob"},{"kind":"Group","name":"ops"},
    {"kind":"ServiceAccount","namespace":"kube-system","name":"ci"}]})";
  EXPECT_EQ(Row("rbac.authorization.k8s.io", "clusterrolebindings", rb),
            R"(["admins","ClusterRole/admin","<unknown>","alice, bob","ops","kube-system:ci"])");
}

TEST(Tables, PolicyNetworkingAndCoordinationRows) {
  EXPECT_EQ(Row("policy", "poddisruptionbudgets",
                R"({"metadata":{"name":"pdb"},"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}})"),
            R"(["pdb","50%","N/A",1,"<unknown>"])");
  EXPECT_EQ(Row("policy", "poddisruptionbudgets", R"({"metadata":{"name":"pdb"},"spec":{"maxUnavailable":1}})"),
            R"(["pdb","N/A","1",0,"<unknown>"])");
  std::string ing = R"({"metadata":{"name":"web"},"spec":{"ingressClassName":"traefik","tls":[{"hosts":["a.example"]}],
    "rules":[{"host":"a.example"},{},{"host":"b.example"},{"host":"c.example"},{"host":"d.example"}]},
    "status":{"loadBalancer":{"ingress":[{"ip":"192.168.1.10"},{"ip":"192.168.1.10"}]}}})";
  EXPECT_EQ(Row("networking.k8s.io", "ingresses", ing),
            R"(["web","traefik","a.example,b.example,c.example + 2 more...","192.168.1.10","80, 443","<unknown>"])");
  EXPECT_EQ(Row("networking.k8s.io", "ingresses", R"({"metadata":{"name":"i"}})"),
            R"(["i","<none>","*","","80","<unknown>"])");
  EXPECT_EQ(Row("networking.k8s.io", "ingressclasses", R"({"metadata":{"name":"traefik"},
    "spec":{"controller":"traefik.io/ingress-controller","parameters":{"apiGroup":"k8s.example.com","kind":"IngressParameters","name":"p"}}})"),
            R"(["traefik","traefik.io/ingress-controller","IngressParameters.k8s.example.com/p","<unknown>"])");
  EXPECT_EQ(Row("networking.k8s.io", "networkpolicies", R"({"metadata":{"name":"deny"},"spec":{"podSelector":{}}})"),
            R"(["deny","<none>","<unknown>"])");
  EXPECT_EQ(Row("networking.k8s.io", "networkpolicies",
                R"({"metadata":{"name":"np"},"spec":{"podSelector":{"matchExpressions":[{"key":"app","operator":"Exists"}]}}})"),
            R"(["np","app","<unknown>"])");
  EXPECT_EQ(Row("coordination.k8s.io", "leases", R"({"metadata":{"name":"n1"},"spec":{"holderIdentity":"n1"}})"),
            R"(["n1","n1","<unknown>"])");
}

TEST(Tables, StoragePriorityAndCertificateRows) {
  std::string sc = R"({"metadata":{"name":"local-path","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
    "provisioner":"rancher.io/local-path","volumeBindingMode":"WaitForFirstConsumer"})";
  EXPECT_EQ(Row("storage.k8s.io", "storageclasses", sc),
            R"j(["local-path (default)","rancher.io/local-path","Delete","WaitForFirstConsumer",false,"<unknown>"])j");
  EXPECT_EQ(ColumnNames("scheduling.k8s.io", "priorityclasses", 0),
            (Names{"Name", "Value", "Global-Default", "Age", "PreemptionPolicy"}));
  EXPECT_EQ(Row("scheduling.k8s.io", "priorityclasses",
                R"({"metadata":{"name":"system-node-critical"},"value":2000001000,"preemptionPolicy":"PreemptLowerPriority"})"),
            R"(["system-node-critical",2000001000,false,"<unknown>","PreemptLowerPriority"])");
  EXPECT_EQ(ColumnNames("certificates.k8s.io", "certificatesigningrequests", 0),
            (Names{"Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"}));
  std::string csr = R"({"metadata":{"name":"node-csr-1"},"spec":{"signerName":"kubernetes.io/kube-apiserver-client-kubelet",
    "username":"system:node:n1","expirationSeconds":86400},
    "status":{"conditions":[{"type":"Approved","status":"True"}],"certificate":"LS0t"}})";
  EXPECT_EQ(Row("certificates.k8s.io", "certificatesigningrequests", csr),
            R"(["node-csr-1","<unknown>","kubernetes.io/kube-apiserver-client-kubelet","system:node:n1","24h","Approved,Issued"])");
  EXPECT_EQ(Row("certificates.k8s.io", "certificatesigningrequests",
                R"({"metadata":{"name":"c"},"status":{"conditions":[{"type":"Approved"},{"type":"Denied"},{"type":"Failed"}]}})"),
            R"(["c","<unknown>","<none>","","<none>","Denied,Failed"])");
}

TEST(Tables, UnknownKindsFallBackToNameAndAge) {
  EXPECT_EQ(ColumnNames("example.com", "widgets", 0), (Names{"Name", "Age"}));
  EXPECT_EQ(Row("example.com", "widgets", R"({"metadata":{"name":"w","creationTimestamp":")" + Ago(45) + R"("}})"),
            R"(["w","45s"])");
}

// ---- malformed objects ----

const std::vector<std::pair<std::string, std::string>>& AllKinds() {
  static const std::vector<std::pair<std::string, std::string>> kinds = {
      {"", "namespaces"},
      {"", "pods"},
      {"", "services"},
      {"", "endpoints"},
      {"", "configmaps"},
      {"", "secrets"},
      {"", "serviceaccounts"},
      {"", "nodes"},
      {"", "events"},
      {"", "limitranges"},
      {"", "resourcequotas"},
      {"", "persistentvolumes"},
      {"", "persistentvolumeclaims"},
      {"apps", "deployments"},
      {"apps", "replicasets"},
      {"apps", "statefulsets"},
      {"apps", "daemonsets"},
      {"apps", "controllerrevisions"},
      {"batch", "jobs"},
      {"batch", "cronjobs"},
      {"autoscaling", "horizontalpodautoscalers"},
      {"coordination.k8s.io", "leases"},
      {"discovery.k8s.io", "endpointslices"},
      {"events.k8s.io", "events"},
      {"rbac.authorization.k8s.io", "roles"},
      {"rbac.authorization.k8s.io", "rolebindings"},
      {"rbac.authorization.k8s.io", "clusterroles"},
      {"rbac.authorization.k8s.io", "clusterrolebindings"},
      {"policy", "poddisruptionbudgets"},
      {"networking.k8s.io", "ingresses"},
      {"networking.k8s.io", "ingressclasses"},
      {"networking.k8s.io", "networkpolicies"},
      {"storage.k8s.io", "storageclasses"},
      {"scheduling.k8s.io", "priorityclasses"},
      {"certificates.k8s.io", "certificatesigningrequests"},
      {"apiextensions.k8s.io", "customresourcedefinitions"},
  };
  return kinds;
}

// A sample touching most fields any printer reads, for every kind at once.
const char* kEverything = R"({
  "metadata":{"name":"x","creationTimestamp":"2024-06-01T11:00:00Z","deletionTimestamp":"2024-06-01T11:59:00Z",
    "labels":{"node-role.kubernetes.io/worker":"","kubernetes.io/role":"r"},
    "annotations":{"volume.beta.kubernetes.io/storage-class":"s","storageclass.kubernetes.io/is-default-class":"true"},
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"s","controller":true}]},
  "spec":{"replicas":2,"nodeName":"n","unschedulable":true,"type":"LoadBalancer","clusterIPs":["10.0.0.1"],
    "externalIPs":["1.1.1.1"],"selector":{"matchLabels":{"a":"b"},"matchExpressions":[{"key":"k","operator":"In","values":["v"]}]},
    "ports":[{"port":80,"nodePort":30000}],"readinessGates":[{"conditionType":"g"}],
    "initContainers":[{"name":"i","restartPolicy":"Always"}],"containers":[{"name":"c","image":"img"}],
    "template":{"spec":{"containers":[{"name":"c","image":"img"}],"nodeSelector":{"a":"b"}}},
    "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c"}]}},"selector":{"matchLabels":{"a":"b"}}}},
    "completions":3,"parallelism":2,"schedule":"@daily","suspend":true,"timeZone":"UTC",
    "capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"claimRef":{"namespace":"n","name":"c"},
    "volumeName":"v","volumeMode":"Block","volumeAttributesClassName":"gold","storageClassName":"s",
    "scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":1,"maxReplicas":3,
    "metrics":[{"type":"External","external":{"target":{"value":"10"}}},{"type":"Object","object":{"target":{"averageValue":"2"}}},
      {"type":"ContainerResource","containerResource":{"name":"cpu","target":{"averageUtilization":50}}}],
    "holderIdentity":"h","minAvailable":1,"rules":[{"host":"h"}],"tls":[{}],"ingressClassName":"c","controller":"c",
    "parameters":{"kind":"K","name":"n"},"podSelector":{"matchLabels":{"a":"b"}},"signerName":"s","username":"u",
    "expirationSeconds":600},
  "status":{"phase":"Running","reason":"r","podIPs":[{"ip":"10.0.0.2"}],"nominatedNodeName":"m",
    "conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"},{"type":"Complete","status":"True"}],
    "initContainerStatuses":[{"name":"i","started":true,"ready":true,"restartCount":1,
      "lastState":{"terminated":{"finishedAt":"2024-06-01T11:50:00Z"}}}],
    "containerStatuses":[{"name":"c","ready":true,"restartCount":1,"state":{"running":{}}}],
    "addresses":[{"type":"InternalIP","address":"1.2.3.4"}],"nodeInfo":{"kubeletVersion":"v1"},
    "loadBalancer":{"ingress":[{"ip":"2.2.2.2"}]},"readyReplicas":1,"replicas":2,"succeeded":1,
    "startTime":"2024-06-01T11:00:00Z","active":[{}],"lastScheduleTime":"2024-06-01T11:00:00Z",
    "hard":{"pods":"1"},"used":{"pods":"1"},"capacity":{"storage":"1Gi"},"accessModes":["ReadOnlyMany"],
    "currentMetrics":[{"type":"External","external":{"current":{"value":"3"}}}],"currentReplicas":2,
    "disruptionsAllowed":1,"certificate":"x"},
  "subsets":[{"addresses":[{"ip":"1.1.1.1"}],"ports":[{"port":1}]}],"addressType":"IPv4",
  "endpoints":[{"addresses":["1.1.1.1"]}],"data":{"a":"b"},"binaryData":{"b":"c"},"secrets":[{}],"type":"Opaque",
  "involvedObject":{"kind":"Pod","name":"p"},"regarding":{"kind":"Pod","name":"p"},"message":"m","note":"n",
  "firstTimestamp":"2024-06-01T11:00:00Z","lastTimestamp":"2024-06-01T11:00:00Z","count":2,
  "series":{"count":3,"lastObservedTime":"2024-06-01T11:00:00.000000Z"},"source":{"component":"c"},
  "roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"}],"revision":3,
  "provisioner":"p","reclaimPolicy":"Retain","allowVolumeExpansion":true,"value":5,"globalDefault":true
})";

// Calls f with every object made from root by replacing one value (at any depth) with a wrong shape.
void ForEachMutation(const json::value& root, const std::function<void(const json::value&)>& f) {
  static const std::vector<json::value> kWrong = {json::value("str"), json::value(-7),      json::value(1.5e300),
                                                  json::value(true),  json::value(nullptr), json::array{},
                                                  json::object{},     json::array{1, "x", json::object{}}};
  json::value copy = root;
  std::function<void(json::value&)> walk = [&](json::value& v) {
    if (v.is_object()) {
      for (auto& kv : v.as_object()) {
        json::value saved = kv.value();
        for (const auto& wrong : kWrong) {
          kv.value() = wrong;
          f(copy);
        }
        kv.value() = saved;
        walk(kv.value());
      }
    } else if (v.is_array()) {
      for (auto& item : v.as_array()) {
        json::value saved = item;
        for (const auto& wrong : kWrong) {
          item = wrong;
          f(copy);
        }
        item = saved;
        walk(item);
      }
    }
  };
  walk(copy);
}

TEST(Tables, EveryKindHasOneCellPerColumnForAFullObject) {
  json::object everything = json::parse(kEverything).as_object();
  for (const auto& [group, plural] : AllKinds()) {
    auto r = Res(group, plural);
    EXPECT_EQ(TableCellsAt(r, everything, kNow).size(), TableColumns(r).size()) << group << "/" << plural;
  }
}

TEST(Tables, EveryKindSurvivesEmptyAndWronglyShapedObjects) {
  const std::vector<std::string> odd = {
      "{}",
      R"({"metadata":"x","spec":5,"status":[],"data":"d","subsets":{"a":1}})",
      R"({"metadata":{"name":7,"labels":["a"],"creationTimestamp":12,"deletionTimestamp":true},"spec":{"containers":"x",
        "template":3,"selector":{"matchLabels":7,"matchExpressions":"a"},"replicas":"three"},
        "status":{"conditions":{"a":1},"containerStatuses":[1,"x",{"state":"y","lastState":{"terminated":"z"}}]}})",
      R"({"spec":{"replicas":1e300,"completions":-5,"parallelism":18446744073709551615,"expirationSeconds":-1}})",
  };
  for (const auto& [group, plural] : AllKinds()) {
    auto r = Res(group, plural);
    const size_t n = TableColumns(r).size();
    for (const auto& text : odd) {
      EXPECT_EQ(TableCellsAt(r, json::parse(text).as_object(), kNow).size(), n) << plural << " " << text;
    }
  }
}

TEST(Tables, EveryKindSurvivesAnyOneFieldHavingTheWrongShape) {
  json::value everything = json::parse(kEverything);
  size_t checked = 0;
  for (const auto& [group, plural] : AllKinds()) {
    auto r = Res(group, plural);
    const size_t n = TableColumns(r).size();
    ForEachMutation(everything, [&](const json::value& mutated) {
      ASSERT_EQ(TableCellsAt(r, mutated.as_object(), kNow).size(), n) << plural << " " << json::serialize(mutated);
      ++checked;
    });
  }
  EXPECT_GT(checked, 10000u);
}

TEST(Tables, ColumnDefinitionsAreWellFormed) {
  for (const auto& [group, plural] : AllKinds()) {
    for (const auto& c : TableColumns(Res(group, plural))) {
      const auto& o = c.as_object();
      EXPECT_FALSE(o.at("name").as_string().empty());
      EXPECT_FALSE(o.at("description").as_string().empty());
      std::string type(o.at("type").as_string());
      EXPECT_TRUE(type == "string" || type == "integer" || type == "boolean" || type == "date") << type;
      EXPECT_TRUE(o.at("priority").as_int64() == 0 || o.at("priority").as_int64() == 1);
    }
  }
}

}  // namespace
}  // namespace k1s::registry
