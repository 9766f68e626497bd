// The built-in add-ons' pure renderers and the CNI charts: the add-on controller's catalogue.
export { addonKinds, builtinAddonNames, renderBuiltinAddon, type AddonKind } from "./builtin.ts";
export { cniChart, cniChartSources } from "./cni.ts";
export { coreDNSCorefile, coreDNSCustomConfigMap, coreDNSImage, renderCoreDNS } from "./coredns.ts";
export { dashboardImage, dashboardMetricsScraperImage, dashboardNamespace, renderDashboard } from "./dashboard.ts";
export { addonImage } from "./images.ts";
export { addonLabels, managedByLabel } from "./manifest.ts";
export { metricsServerImage, renderMetricsServer } from "./metrics-server.ts";
export { addonLabel, type AddonContext, type AddonRendering, type BuiltinAddonName, type CNIName, type HelmChart, type RenderedManifests } from "./types.ts";
