/** A problem with one object, reported instead of thrown (the controller keeps serving the rest). */
export interface RouterIssue {
  /** `Kind/namespace/name`. */
  object: string;
  /** Field path inside the object, e.g. `spec.rules[0].host`. */
  field: string;
  message: string;
}
