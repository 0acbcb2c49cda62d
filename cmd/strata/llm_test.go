package main

import "io"
import "slices"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata/eval"

func TestLLMConfig(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "STRATA_LLM_MODELS", "STRATA_LLM_CONCURRENCY", "STRATA_LLM_TIMEOUT"} {
			t.Setenv(k, "")
		}
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags(nil); err != nil {
			t.Fatal(err)
		}
		c := m.LLM
		if c.Configured() || c.BaseURL != eval.DefaultBaseURL || !slices.Equal(c.Models, []string{eval.DefaultModel}) ||
			c.Concurrency != eval.DefaultConcurrency || c.Timeout != eval.DefaultTimeout {
			t.Errorf("client = %+v", c)
		}
	})
	t.Run("Environment", func(t *testing.T) {
		t.Setenv("OPENAI_API_KEY", "sk-x")
		t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
		t.Setenv("STRATA_LLM_MODELS", "llama3.1, qwen2.5 ,")
		t.Setenv("STRATA_LLM_CONCURRENCY", "3")
		t.Setenv("STRATA_LLM_TIMEOUT", "45s")
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags([]string{"--llm-concurrency", "4"}); err != nil {
			t.Fatal(err)
		}
		c := m.LLM
		if !c.Configured() || c.BaseURL != "http://127.0.0.1:11434/v1" || !slices.Equal(c.Models, []string{"llama3.1", "qwen2.5"}) ||
			c.Concurrency != 4 || c.Timeout != 45*time.Second || c.Allowed(eval.DefaultModel) {
			t.Errorf("client = %+v", c)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for env, want := range map[string]string{
			"STRATA_LLM_CONCURRENCY": "STRATA_LLM_CONCURRENCY",
			"STRATA_LLM_TIMEOUT":     "STRATA_LLM_TIMEOUT",
			"STRATA_LLM_MODELS":      "STRATA_LLM_MODELS",
		} {
			t.Run(env, func(t *testing.T) {
				t.Setenv(env, map[string]string{"STRATA_LLM_CONCURRENCY": "0", "STRATA_LLM_TIMEOUT": "soon", "STRATA_LLM_MODELS": " , "}[env])
				err := NewMain(io.Discard, io.Discard).ParseFlags(nil)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v", err)
				}
			})
		}
	})
}
