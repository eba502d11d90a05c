"use client";
// Scanning a code with the device's camera, where the browser can: the Barcode Detection API (Chrome on
// Android, Safari 17+ on iOS) on a getUserMedia stream. Nothing is loaded for it and nothing depends on it:
// where either is missing the button is not shown and typing the code works as always.
import { useCallback, useEffect, useRef, useState } from "react";

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?: () => Promise<string[]>;
}

/** The codes a card's code shows as (QR and the common 1D ones). */
const WANTED = ["qr_code", "code_128", "ean_13", "code_39", "itf"];

async function detectorClass(): Promise<{ Detector: BarcodeDetectorClass; formats: string[] } | null> {
  const Detector = (window as unknown as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector || !navigator.mediaDevices?.getUserMedia) return null;
  const supported = (await Detector.getSupportedFormats?.().catch(() => [] as string[])) ?? WANTED;
  const formats = WANTED.filter((f) => supported.includes(f));
  return formats.length > 0 ? { Detector, formats } : null;
}

export function CameraScan({ onCode, disabled }: { onCode: (code: string) => void; disabled?: boolean }) {
  const [available, setAvailable] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const stop = useRef<() => void>(() => undefined);

  useEffect(() => {
    let live = true;
    void detectorClass().then((found) => {
      if (live) setAvailable(found !== null);
    });
    return () => {
      live = false;
      stop.current();
    };
  }, []);

  const start = useCallback(async () => {
    setProblem(null);
    const found = await detectorClass();
    if (!found || !video.current) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      setProblem("无法打开摄像头（可能未授权），请直接输入券码。");
      return;
    }
    const element = video.current;
    element.srcObject = stream;
    await element.play().catch(() => undefined);
    setScanning(true);
    const detector = new found.Detector({ formats: found.formats });
    let running = true;
    let frame = 0;
    stop.current = () => {
      running = false;
      cancelAnimationFrame(frame);
      for (const track of stream.getTracks()) track.stop();
      element.srcObject = null;
      setScanning(false);
    };
    const tick = async () => {
      if (!running) return;
      const codes = await detector.detect(element).catch(() => [] as DetectedBarcode[]);
      const value = codes.find((c) => c.rawValue.trim() !== "")?.rawValue;
      if (value && running) {
        stop.current();
        onCode(value);
        return;
      }
      frame = requestAnimationFrame(() => void tick());
    };
    frame = requestAnimationFrame(() => void tick());
  }, [onCode]);

  if (!available) return null;
  return (
    <div className="flex flex-col gap-2">
      <video
        ref={video}
        muted
        playsInline
        className={scanning ? "aspect-square w-full rounded-lg bg-black object-cover" : "hidden"}
        aria-label="摄像头画面"
      />
      {scanning ? (
        <button
          type="button"
          className="rounded-md border border-neutral-300 px-3 py-2 text-sm"
          onClick={() => stop.current()}
        >
          停止扫码
        </button>
      ) : (
        <button
          type="button"
          className="rounded-md border border-neutral-300 px-3 py-2 text-sm disabled:opacity-50"
          disabled={disabled}
          onClick={() => void start()}
          data-testid="redeem-scan"
        >
          用摄像头扫码
        </button>
      )}
      {problem && (
        <p role="alert" className="text-sm text-red-700">
          {problem}
        </p>
      )}
    </div>
  );
}
