import Type from "typebox";
import { SecretKeyReference } from "../schema/common.ts";

/**
 * Where etcd snapshots are stored: an S3 bucket, with the credentials a
 * Secret holds (JSON {"accessKeyId", "secretAccessKey", "sessionToken"?}
 * in its key). Clusters, templates and projects name Secrets of their own
 * namespace only (`secretRule` says so at admission): a project's editors
 * must not make the operator read another project's credentials.
 */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the schema's type is what TypeBox infers from it
export function BackupStorage(secretWhere: string, description: string, secretRule?: { rule: string; message: string }) {
  return Type.Object({
    s3: Type.Object({
      endpoint: Type.String({ maxLength: 2048, "x-kubernetes-validations": [{ rule: "isURL(self)", message: "must be a URL such as https://s3.eu-west-1.amazonaws.com" }] }),
      bucket: Type.String({ minLength: 3, maxLength: 63 }),
      region: Type.String({ default: "us-east-1", maxLength: 64 }),
      prefix: Type.Optional(Type.String({ maxLength: 512 })),
      credentialsSecretRef: Type.Object(SecretKeyReference.properties, { description: `The credentials: ${secretWhere}.`, "x-kubernetes-validations": [secretRule ?? { rule: "!has(self.namespace)", message: `must name ${secretWhere}` }] }),
    }),
  }, { description });
}

