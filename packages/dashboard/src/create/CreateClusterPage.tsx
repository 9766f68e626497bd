import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type SyntheticEvent, type ReactNode } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ApiError, describeError, useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import { canEdit, roleIn, useProjects } from "../api/projects.ts";
import type { ClusterTemplate, List } from "../api/types.ts";
import { useDashboardConfig } from "../auth/context.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Field } from "../ui/Field.tsx";
import { Progress } from "../ui/Progress.tsx";
import { useDocumentTitle } from "../ui/useDocumentTitle.ts";
import { AddonChoices } from "./AddonChoices.tsx";
import { clusterFieldOf, exposureOptions, maxNameLength, nameProblem, poolField, poolPartOf, validateClusterForm, type FormErrors } from "./cluster-form.ts";
import { CreateProgress } from "./CreateProgress.tsx";
import { poolInputId, PoolRows } from "./PoolRows.tsx";
import { createClusterAndPools, outcomeOf, type Outcome, type Step } from "./submit.ts";
import { useClusterForm } from "./useClusterForm.ts";

/** Fields the API checks in the Cluster's own create request (no need to stop for them here). */
const clusterOwnFields = new Set(["name"]);

/** The input id of a top-level wizard field. */
const inputId = (field: string): string => `create-${field}`;

/** Moves focus to the first input with a problem, so keyboard and screen-reader users land on it. */
function focusFirst(errors: FormErrors): void {
  const first = Object.keys(errors)[0];
  if (first === undefined) return;
  const match = /^pool\.(\d+)\.(name|replicas)$/.exec(first);
  const id = match === null ? inputId(first) : poolInputId(Number(match[1]), match[2] as "name" | "replicas");
  // After React has rendered the error text the input points at.
  setTimeout(() => document.getElementById(id === inputId("addons") ? "create-addon-coredns" : id)?.focus(), 0);
}

/** The errors with `field`'s problem set, or removed when there is none. */
function withProblem(errors: FormErrors, field: string, problem: string | undefined): FormErrors {
  const next = Object.fromEntries(Object.entries(errors).filter(([key]) => key !== field));
  return problem === undefined ? next : { ...next, [field]: problem };
}

/** The API's field errors of a finished run, beside the inputs they belong to. */
function fieldErrorsOf(steps: readonly Step[]): FormErrors {
  const errors: FormErrors = {};
  for (const step of steps) {
    if (step.state !== "failed" || !(step.error instanceof ApiError)) continue;
    const field = step.pool === undefined ? clusterFieldOf(step.error.field) : poolPartOf(step.error.field);
    if (field === undefined) continue;
    errors[step.pool === undefined ? field : poolField(step.pool.key, field as "name" | "replicas")] = step.error.message;
  }
  return errors;
}

/** What a finished run that did not simply work says at the top: an error without a field, "correct the field", or exactly what was made. */
function OutcomeAlert(props: { outcome: Outcome | undefined; clusterLink: string; name: string }): ReactNode {
  const { outcome } = props;
  if (outcome === undefined || outcome.kind === "created") return null;
  if (outcome.kind === "partial") {
    return (
      <div className="warning-message" role="alert">
        <p>{outcome.summary}</p>
        <p><Link to={props.clusterLink}>Open cluster {props.name}</Link></p>
      </div>
    );
  }
  const placed = outcome.error instanceof ApiError && clusterFieldOf(outcome.error.field) !== undefined;
  if (placed) return <p className="error-message" role="alert">The cluster was not created: correct the field marked below.</p>;
  return <ErrorMessage error={outcome.error} title="The cluster was not created." />;
}

/** /create: the wizard that creates a cluster and its node pools in one of the user's editable projects. */
export function CreateClusterPage(): ReactNode {
  useDocumentTitle("Create a cluster");
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const config = useDashboardConfig();
  const projects = useProjects();
  const editable = (projects.data ?? []).filter((p) => canEdit(roleIn(p))).map((p) => p.metadata.name);
  const state = useClusterForm({ project: params.get("project") ?? "", version: config.versions[0] ?? "" });
  const { form, change } = state;
  const [errors, setErrors] = useState<FormErrors>({});
  const [steps, setSteps] = useState<Step[]>([]);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);

  // The first editable project once the list is in, unless one was chosen (or given as ?project=) and is editable.
  const firstEditable = editable[0];
  useEffect(() => {
    if (firstEditable !== undefined && !editable.includes(form.project)) change({ project: firstEditable });
  }, [firstEditable, editable, form.project, change]);

  const templates = useQuery({
    queryKey: queryKeys.templates(form.project),
    queryFn: async () => (await api.get<List<ClusterTemplate>>(`/projects/${encodeURIComponent(form.project)}/clustertemplates`)).items,
    enabled: form.project !== "",
  });

  async function submit(event: SyntheticEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found = validateClusterForm(form);
    setErrors(found);
    setOutcome(undefined);
    // The Cluster's own fields are checked by the API in one request that
    // creates nothing when it refuses, so its own words are shown for them.
    // Pools are created after the cluster: their problems must stop the
    // submit here, or a cluster would be made without them; unless the
    // cluster's name is bad too (a pool's default name follows it), which
    // the API refuses before anything is made.
    if (found.name === undefined && Object.keys(found).some((field) => !clusterOwnFields.has(field))) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    const finished = await createClusterAndPools(api, form, setSteps);
    setBusy(false);
    const result = outcomeOf(finished, describeError);
    const apiErrors = fieldErrorsOf(finished);
    setErrors(apiErrors);
    await queryClient.invalidateQueries({ queryKey: queryKeys.clusters(form.project) });
    await queryClient.invalidateQueries({ queryKey: queryKeys.nodePools(form.project) });
    if (result.kind === "created") {
      void navigate(`/projects/${encodeURIComponent(form.project)}/clusters/${encodeURIComponent(form.name)}`);
      return;
    }
    setOutcome(result);
    if (result.kind === "refused") setSteps([]);
    focusFirst(apiErrors);
  }

  const header = <div className="page-header"><h1>Create a cluster</h1></div>;
  if (projects.isPending) return <>{header}<Progress label="Loading your projects…" /></>;
  if (projects.isError) return <>{header}<ErrorMessage error={projects.error} title="Your projects could not be loaded." /></>;
  if (editable.length === 0) return <>{header}<p>You cannot create clusters: you are not an owner or editor of any project. <Link to="/projects">See your projects</Link>.</p></>;

  const created = outcome?.kind === "partial";
  return (
    <>
      {header}
      <OutcomeAlert outcome={outcome} clusterLink={`/projects/${encodeURIComponent(form.project)}/clusters/${encodeURIComponent(form.name)}`} name={form.name} />
      <form className="wizard" onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
        <fieldset disabled={busy || created} className="form-plain">
          <Field label="Name" id={inputId("name")} error={errors.name} hint="Lower-case letters, digits and '-', at most 30 characters.">
            <input
              type="text"
              autoComplete="off"
              spellCheck={false}
              required
              value={form.name}
              onChange={(e) => change({ name: e.target.value.trim() })}
              onBlur={() => setErrors((previous) => withProblem(previous, "name", form.name === "" ? undefined : nameProblem(form.name, maxNameLength.cluster)))}
            />
          </Field>
          <Field label="Project" id={inputId("project")} error={errors.project}>
            <select value={form.project} onChange={(e) => change({ project: e.target.value, template: "" })}>
              {editable.map((p) => <option key={p} value={p}>{p}</option>)}
            </select>
          </Field>
          <Field label="Template" id={inputId("template")} error={errors.template ?? (templates.isError ? `The templates could not be loaded: ${describeError(templates.error)}` : undefined)} hint="A template fills in what you leave out.">
            <select value={form.template} onChange={(e) => change({ template: e.target.value })}>
              <option value="">None</option>
              {(templates.data ?? []).map((t) => <option key={t.metadata.name} value={t.metadata.name}>{t.metadata.name}{t.spec.description === undefined ? "" : ` — ${t.spec.description}`}</option>)}
            </select>
          </Field>
          <Field label="Kubernetes version" id={inputId("version")} error={errors.version}>
            <select value={form.version} onChange={(e) => change({ version: e.target.value })}>
              {config.versions.map((v, i) => <option key={v} value={v}>{v}{i === 0 ? " (newest)" : ""}</option>)}
              <option value="">The template's or the platform's default</option>
            </select>
          </Field>
          <PoolRows pools={form.pools} errors={errors} onChange={state.changePool} onAdd={state.addPool} onRemove={state.removePool} />
          <AddonChoices addons={form.addons} error={errors.addons} onChange={(addons) => change({ addons })} />
          <Field label="Exposure" id={inputId("exposure")} error={errors.exposure} hint="How the cluster's API is reached.">
            <select value={form.exposure} onChange={(e) => change({ exposure: e.target.value })}>
              <option value="">The template's or the platform's default</option>
              {exposureOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
          </Field>
        </fieldset>
        <CreateProgress steps={steps} />
        {created ? null : (
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>Create</button>
            <Link className="button button-link" to="/clusters">Cancel</Link>
          </div>
        )}
      </form>
    </>
  );
}
