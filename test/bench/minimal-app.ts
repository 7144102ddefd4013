import { App, TerraformStack } from "cdktf";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Image } from "@cdktf/provider-docker/lib/image";

/** The benchmark's baseline: the smallest useful cdktf app, one Docker image on the same provider. */
const app = new App();
const stack = new TerraformStack(app, "minimal");
new DockerProvider(stack, "docker", {});
new Image(stack, "image", { name: "prom/prometheus:v3.16.0" });
app.synth();
