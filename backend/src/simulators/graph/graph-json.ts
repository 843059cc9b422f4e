// The shapes of the simulator's JSON answers, over @microsoft/microsoft-graph-types. A body is built
// as `satisfies GraphResponse<MicrosoftGraph.X>` (or GraphCollection), so the compiler refuses a
// property Graph's type lacks; what a spread brings in is typed where it is built (folderJson,
// messageJson, serializeAttachment, driveItemJson, …). tests/integration/sim-graph-responses.test.ts
// checks the same at run time, against the declarations themselves.

/** T with OData instance annotations: "@odata.etag", "@odata.type", "@microsoft.graph.downloadUrl", … */
export type Annotated<T> = T & { [annotation: `@${string}`]: unknown };

/** A single resource (or an action's result) with its @odata.context. */
export type GraphResponse<T> = Annotated<T> & { '@odata.context': string };

/** One page of a collection. */
export interface GraphCollection<T> {
  '@odata.context': string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: T[];
}
