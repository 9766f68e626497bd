/**
 * The lifecycle kwok plays for simulated machines, as kwok Stage objects.
 * kwok v0.8 ships no default stages in its binary, so every kwok we run gets
 * this file through --config. The stages are deliberately few:
 *
 * - node-ready: a new Node gets a kubelet's status at once (Ready, no
 *   pressure, capacity from the machine template; the addresses it was
 *   created with, or kwok's node IP).
 * - node-status-refresh: a Ready Node's conditions are refreshed every few
 *   minutes, as a kubelet does when it also renews its Lease (kwok renews the
 *   Lease itself, see --node-lease-duration-seconds).
 * - pod-running: a scheduled pod starts at once, all containers ready.
 * - pod-gone: a pod being deleted disappears, finalizers and all, as it would
 *   once a kubelet confirmed its containers stopped.
 *
 * Templates are Go text/template with kwok's helpers (Now, NodeIP, …).
 */
export const kwokStages = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-ready
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
    - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: NotIn, values: ['True'] }
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $since := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - { type: {{ .type | Quote }}, status: {{ .status | Quote }}, reason: {{ .reason | Quote }}, message: {{ .message | Quote }}, lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $since | Quote }} }
      {{ end }}
      addresses:
      {{ with .status.addresses }}{{ YAML . 1 }}{{ else }}
      {{ with NodeIP }}
      - { type: InternalIP, address: {{ . | Quote }} }
      {{ end }}
      - { type: Hostname, address: {{ $.metadata.name | Quote }} }
      {{ end }}
      allocatable:
      {{ with .status.allocatable }}{{ YAML . 1 }}{{ else }}
        { cpu: "2", memory: 4Gi, pods: "110" }
      {{ end }}
      capacity:
      {{ with .status.capacity }}{{ YAML . 1 }}{{ else }}
        { cpu: "2", memory: 4Gi, pods: "110" }
      {{ end }}
      {{ $info := .status.nodeInfo }}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        containerRuntimeVersion: {{ or $info.containerRuntimeVersion "kwok" | Quote }}
        kernelVersion: {{ or $info.kernelVersion "kwok" | Quote }}
        kubeletVersion: {{ or $info.kubeletVersion (printf "kwok-%s" Version) | Quote }}
        kubeProxyVersion: {{ or $info.kubeProxyVersion (printf "kwok-%s" Version) | Quote }}
        osImage: kwok
        bootID: ""
        machineID: ""
        systemUUID: ""
      phase: Running
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-status-refresh
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
    - { key: '.status.phase', operator: In, values: [Running] }
    - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: In, values: ['True'] }
  delay:
    durationMilliseconds: 240000
    jitterDurationMilliseconds: 300000
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $since := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - { type: {{ .type | Quote }}, status: {{ .status | Quote }}, reason: {{ .reason | Quote }}, message: {{ .message | Quote }}, lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $since | Quote }} }
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-running
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
    - { key: '.metadata.deletionTimestamp', operator: DoesNotExist }
    - { key: '.status.phase', operator: In, values: [Pending] }
    - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: NotIn, values: ['True'] }
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      startTime: {{ $now | Quote }}
      conditions:
      - { type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
      {{ range .spec.readinessGates }}
      - { type: {{ .conditionType | Quote }}, status: "True", lastTransitionTime: {{ $now | Quote }} }
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - { name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0, state: { running: { startedAt: {{ $now | Quote }} } } }
      {{ end }}
      {{ with NodeIPsWith .spec.nodeName }}
      hostIP: {{ index . 0 | Quote }}
      hostIPs:
      {{ range . }}
      - { ip: {{ . | Quote }} }
      {{ end }}
      {{ end }}
      {{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ index . 0 | Quote }}
      podIPs:
      {{ range . }}
      - { ip: {{ . | Quote }} }
      {{ end }}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-gone
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
    - { key: '.metadata.deletionTimestamp', operator: Exists }
  next:
    finalizers: { empty: true }
    delete: true
`;
