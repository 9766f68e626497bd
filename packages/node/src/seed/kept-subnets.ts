import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** The pod subnet each node of a seed had, in a file of the seed's directory: a node started again asks for it. */
export class KeptSubnets {
  readonly #file: string;
  readonly #subnets: Record<string, string>;

  constructor(file: string) {
    this.#file = file;
    this.#subnets = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  }

  get(node: string): string | undefined {
    return this.#subnets[node];
  }

  set(node: string, subnet: string): void {
    if (this.#subnets[node] === subnet) return;
    this.#subnets[node] = subnet;
    writeFileSync(this.#file, `${JSON.stringify(this.#subnets, null, 2)}\n`);
  }
}
