package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"adscan"
	"adscan/classifier"
	"adscan/lexicon"
)

// storeClassifiers gives crawls the classifier of the newest lexicon
// version in the store (made in the console when a regulator approves an
// allow-list proposal), or the worker's own lexicon while the store has
// none. A version is compiled once, when it first appears.
type storeClassifiers struct {
	store  adscan.Store
	base   adscan.Classifier // --lexicon or the embedded default
	logger *slog.Logger

	mu     sync.Mutex
	digest string
	cl     adscan.Classifier
}

// Classifier implements workflows.ClassifierSource.
func (s *storeClassifiers) Classifier(ctx context.Context) (adscan.Classifier, error) {
	v, err := s.store.ActiveLexicon(ctx)
	if adscan.ErrorCode(err) == adscan.ENOTFOUND {
		return s.base, nil
	} else if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.Digest == s.digest {
		return s.cl, nil
	}
	lex, err := lexicon.Parse(v.YAML, fmt.Sprintf("stored lexicon version %d", v.ID))
	if err != nil {
		return nil, fmt.Errorf("stored lexicon version %d (%s): %w", v.ID, v.Version, err)
	}
	cl, err := classifier.New(lex)
	if err != nil {
		return nil, fmt.Errorf("stored lexicon version %d (%s): %w", v.ID, v.Version, err)
	}
	s.digest, s.cl = v.Digest, cl
	s.logger.Info("classifying with a new lexicon version", "lexicon", lex.Name, "version", lex.Version, "digest", v.Digest)
	return cl, nil
}

// newClassifier builds the classifier of a lexicon (the console's 试一试).
func newClassifier(l *lexicon.Lexicon) (adscan.Classifier, error) {
	cl, err := classifier.New(l)
	if err != nil {
		return nil, err
	}
	return cl, nil
}
