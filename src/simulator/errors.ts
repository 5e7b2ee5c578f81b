// The AWS errors the simulator answers with: name → HTTP status, as Bedrock's API reference and
// the SDK's service model define them (note ConflictException is 400 there, not 409).

const AWS_ERROR_STATUS = {
  ValidationException: 400,
  ConflictException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
  // Authentication failures come from AWS's front door, not from the Bedrock model.
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  UnknownOperationException: 404,
  SerializationException: 400,
  RequestEntityTooLargeException: 413,
} as const;

type AwsErrorName = keyof typeof AWS_ERROR_STATUS;

/** An error that is answered to the caller as `x-amzn-errortype: <name>` with its status. */
export class SimulatorError extends Error {
  override readonly name: AwsErrorName;
  readonly statusCode: number;

  constructor(name: AwsErrorName, message: string) {
    super(message);
    this.name = name;
    this.statusCode = AWS_ERROR_STATUS[name];
  }
}
