/** Shapes of the NOTIFICATION activity's output (JSON only: they cross the activity boundary). */

/** A channel a NOTIFICATION sends through. */
export type NotificationChannel = 'email' | 'slack' | 'teams' | 'webhook';

/** One message delivered: an email to one address, or one webhook post. */
export interface SentNotification {
  channel: NotificationChannel;
  /** The email address, or the webhook's host (its path may hold the webhook's secret). */
  to: string;
  /** The Message-ID of an email. */
  id?: string;
}

/** A recipient that got nothing, and why (inactive, no email, unknown, nobody in the role…). */
export interface SkippedRecipient {
  channel: NotificationChannel;
  recipient: { type: string; identifier: string };
  reason: string;
}

/** What a NOTIFICATION node outputs. */
export interface NotificationOutput {
  sent: SentNotification[];
  skipped: SkippedRecipient[];
}
