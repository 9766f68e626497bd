/*
 * A shared etcd: one etcd many tenant clusters use, each confined by etcd's
 * own RBAC to the key prefix "/<id>/" and authenticated by a client
 * certificate whose CN is its id. Every call runs the pinned etcdctl as the
 * user of the certificate it is given (root for Seedbed).
 */
export { bootstrapAuth, certificateCommonName, type AuthBootstrap } from "./auth.ts";
export { ensureTenant, removeTenant, tenantApiServerFlags, tenantUsage, type TenantRemoval, type TenantUsage, type TenantUsageOptions } from "./tenant.ts";
export { exportTenant, importTenant, verifyExport, type ExportOptions, type ImportOptions, type TenantExport, type TenantImport } from "./export.ts";
export { exportFormat, type ExportHeader, type ExportTrailer } from "./export-format.ts";
export { checkTenantId, dedicatedKeyPrefix, prefixRangeEnd, tenantKeyPrefix } from "./keys.ts";
export { isPermissionDenied, runEtcdctl, type SharedEtcdAccess } from "./run.ts";
