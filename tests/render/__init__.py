"""Tests for the HTML and PDF writers."""
