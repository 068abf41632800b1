"""Test helpers shipped with the client: a scripted OpenAI-compatible server."""
