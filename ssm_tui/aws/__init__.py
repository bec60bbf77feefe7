"""The AWS side of the client: fleet discovery and the session APIs, on boto3."""
