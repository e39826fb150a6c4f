import { describe, expect, it } from "vitest";
import { skaffoldDeployTag } from "../../src/skaffold-build.ts";

const ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("the tag skaffold deploys an image it did not push under (its name, the image ID as tag)", () => {
  it("replaces the tag, with or without a registry (and its port) or a digest", () => {
    expect(skaffoldDeployTag("food-ordering:v1", `sha256:${ID}`)).toBe(`food-ordering:${ID}`);
    expect(skaffoldDeployTag("food-ordering", ID)).toBe(`food-ordering:${ID}`);
    expect(skaffoldDeployTag("localhost:5000/team/food-ordering:abc", ID)).toBe(
      `localhost:5000/team/food-ordering:${ID}`,
    );
    expect(skaffoldDeployTag("localhost:5000/food-ordering", ID)).toBe(`localhost:5000/food-ordering:${ID}`);
    expect(skaffoldDeployTag(`food-ordering:v1@sha256:${ID}`, ID)).toBe(`food-ordering:${ID}`);
  });
});
