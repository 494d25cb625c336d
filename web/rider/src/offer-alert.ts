import type { Offer } from './protocol';

/**
 * Makes a new offer noticed: a short tone and a vibration (when the rider has them on), and a system notification
 * when the page is in the background (once the rider allowed notifications). The tone's audio context starts on
 * the rider's first tap, as browsers require.
 */
export class OfferAlert {
  private audio: AudioContext | undefined;
  enabled = true;

  /** Called from a tap: unlocks sound, and asks once for permission to notify. */
  unlock(): void {
    this.audio ??= typeof AudioContext === 'function' ? new AudioContext() : undefined;
    void this.audio?.resume();
    if (typeof Notification === 'function' && Notification.permission === 'default') void Notification.requestPermission();
  }

  offer(offer: Offer): void {
    if (this.enabled) {
      navigator.vibrate?.([300, 120, 300]);
      this.tone();
    }
    if (document.visibilityState === 'hidden') void this.notify(offer);
  }

  private tone(): void {
    const audio = this.audio;
    if (!audio || audio.state !== 'running') return;
    for (const [start, frequency] of [
      [0, 880],
      [0.22, 1175],
    ] as const) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, audio.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + 0.2);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + start);
      oscillator.stop(audio.currentTime + start + 0.2);
    }
  }

  private async notify(offer: Offer): Promise<void> {
    if (typeof Notification !== 'function' || Notification.permission !== 'granted') return;
    const title = `새 배차: ${offer.restaurantName}`;
    const options: NotificationOptions = { body: `${offer.pickup.address} → ${offer.dropoff.address}`, tag: offer.offerId, icon: '/rider/icons/icon-192.png' };
    // Through the service worker where there is one (Android shows only those), else from the page.
    const registration = await navigator.serviceWorker?.getRegistration('/rider/').catch(() => undefined);
    if (registration) return registration.showNotification(title, options);
    new Notification(title, options);
  }
}
