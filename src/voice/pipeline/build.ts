/** The standard voice pipeline: Discord audio in, spoken replies out. Swap a provider by passing another port. */
import type { SpeechToText, TextToSpeech } from '../ports.js';
import { BotActivity } from './activity.js';
import { Pipeline } from './pipeline.js';
import type { SplitterOptions } from './sentences.js';
import type { AudioSink } from './sink.js';
import { BargeInStage, type BargeInOptions } from './stages/barge-in.js';
import { DownmixStage } from './stages/downmix.js';
import { EndpointStage, type EndpointOptions } from './stages/endpoint.js';
import { PlaybackStage } from './stages/playback.js';
import { RespondStage, type RespondFn } from './stages/respond.js';
import { SentenceSplitStage } from './stages/sentence-split.js';
import { SynthesizeStage } from './stages/synthesize.js';
import { TranscribeStage, type TranscribeOptions } from './stages/transcribe.js';

export interface VoicePipelineOptions {
  stt: SpeechToText;
  tts: TextToSpeech;
  respond: RespondFn;
  sink: AudioSink;
  endpoint?: EndpointOptions;
  bargeIn?: BargeInOptions;
  transcribe?: TranscribeOptions;
  splitter?: SplitterOptions;
}

export interface VoicePipeline {
  pipeline: Pipeline;
  activity: BotActivity;
}

/** downmix → endpoint → barge-in → transcribe → respond → sentence-split → synthesize → playback. Call pipeline.start(). */
export function createVoicePipeline(o: VoicePipelineOptions): VoicePipeline {
  const activity = new BotActivity();
  const pipeline = new Pipeline([
    new DownmixStage(),
    new EndpointStage(o.endpoint),
    new BargeInStage(activity, o.bargeIn),
    new TranscribeStage(o.stt, o.transcribe),
    new RespondStage(o.respond, activity),
    new SentenceSplitStage(activity, o.splitter),
    new SynthesizeStage(o.tts, activity),
    new PlaybackStage(o.sink, activity),
  ]);
  return { pipeline, activity };
}

/**
 * Speaks `text` through the pipeline's splitter, synthesizer and playback (the seed's text_to_speech_and_play).
 * Resolves when it has been played, or when an interrupt or pipeline stop cut it; true when played whole.
 */
export function speak(vp: VoicePipeline, text: string): Promise<boolean> {
  const { pipeline, activity } = vp;
  if (pipeline.stopped) return Promise.resolve(false);
  const turn = activity.nextTurn();
  return new Promise((resolve) => {
    const onPlayed = (e: { turn: number; interrupted: boolean }) => {
      if (e.turn === turn) finish(!e.interrupted);
    };
    const onInterrupted = () => {
      if (activity.isCancelled(turn)) finish(false);
    };
    const finish = (played: boolean) => {
      activity.off('played', onPlayed);
      activity.off('interrupted', onInterrupted);
      resolve(played);
    };
    activity.on('played', onPlayed);
    activity.on('interrupted', onInterrupted);
    pipeline.inject('sentence-split', { kind: 'reply-delta', turn, text });
    pipeline.inject('sentence-split', { kind: 'reply-end', turn, text, interrupted: false });
  });
}
